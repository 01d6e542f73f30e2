"""Who the client is: X-Forwarded-For walked from the right past trusted proxies only, an
IPv6 /64 counted as one address, the limits read from the environment (issue 15, 4 and 5)."""

from __future__ import annotations

import pytest

from planner.connections import TrustedProxies, client_key
from planner.settings import settings_from_env


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        ((), "127.0.0.1", "203.0.113.7", "127.0.0.1"),  # nobody trusted: headers ignored
        (("10.0.0.1",), "127.0.0.1", "203.0.113.7", "127.0.0.1"),  # peer not trusted
        (("127.0.0.1",), "127.0.0.1", "203.0.113.7", "203.0.113.7"),
        (("127.0.0.1",), "127.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # spoofed left
        (("127.0.0.1", "10.0.0.0/8"), "127.0.0.1", "6.6.6.6, 203.0.113.7, 10.1.2.3", "203.0.113.7"),
        (("127.0.0.1",), "127.0.0.1", "not-an-ip", "127.0.0.1"),
        (("::1",), "::1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_the_client_behind_trusted_proxies(
    trusted: tuple[str, ...], peer: str, forwarded: str, client: str
) -> None:
    assert TrustedProxies(trusted).client(peer, forwarded) == client


def test_an_ipv6_64_is_one_client_and_ipv4_mapped_is_ipv4() -> None:
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::2")
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
    assert client_key("::ffff:198.51.100.4") == "198.51.100.4"
    assert client_key("198.51.100.4") == "198.51.100.4"


def test_limits_and_proxies_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANNER_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    monkeypatch.setenv("PLANNER_HEADER_TIMEOUT_S", "3.5")
    monkeypatch.setenv("PLANNER_MAX_CONNECTIONS_PER_CLIENT", "64")
    monkeypatch.setenv("PLANNER_AUTH_FAILURES_GLOBAL", "50")
    settings = settings_from_env()
    assert settings.trusted_proxies == ("10.0.0.0/8", "127.0.0.1")
    assert settings.connections.header_timeout_s == 3.5
    assert settings.connections.per_client == 64
    assert settings.auth.failures_global == 50
    assert settings.auth.failures_per_client == 20
    with pytest.raises(ValueError):
        TrustedProxies(["not-a-network"])
