"""The limit on failed sign-ins and wrong bearer tokens (issue 15, item 5).

X-Forwarded-For from a peer that is not a trusted proxy does not change the client the
limit counts (before: uvicorn believed it from loopback, so every guess could claim a new
address); from a trusted proxy (``PLANNER_TRUSTED_PROXIES``) it does. Wrong bearer tokens
count like failed sign-ins and get 429 with Retry-After over the limit, per client and in
all; a right token (bearer or sign-in link) always gets in.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from planner.db.pool import connect_raw
from planner.settings import AuthLimits, Settings
from planner.testing import Served, bearer
from planner.testing.service import running_app

pytestmark = pytest.mark.timeout(120)


async def _clear_failures(database_url: str) -> None:
    conn = await connect_raw(database_url)
    try:
        await conn.execute("DELETE FROM auth_failures")
    finally:
        await conn.close()


@pytest.fixture
async def behind_proxy(served: Served, tmp_path: Path) -> AsyncIterator[str]:
    """A second instance on the same database that trusts 127.0.0.1 as its proxy, with a
    global limit of 30 failures a minute."""
    settings = Settings(
        database_url=served.database_url,
        data_dir=tmp_path,
        trusted_proxies=("127.0.0.1",),
        auth=AuthLimits(failures_per_client=20, failures_global=30, window_s=60),
    )
    async with running_app(settings) as (base_url, _):
        yield base_url


def _from(address: str) -> dict[str, str]:
    return {"x-forwarded-for": address}


async def test_forwarded_for_from_an_untrusted_peer_does_not_change_the_client(
    served: Served,
) -> None:
    await _clear_failures(served.database_url)
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:
        statuses = [
            (
                await http.get(
                    "/login", params={"token": f"guess-{i}"}, headers=_from(f"198.51.100.{i}")
                )
            ).status_code
            for i in range(22)
        ]
    assert statuses[:20] == [401] * 20
    assert statuses[20:] == [429, 429], statuses


async def test_wrong_bearer_tokens_get_429_and_the_right_token_still_works(
    served: Served,
) -> None:
    await _clear_failures(served.database_url)
    owner = served.world.own["owner"]
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:
        statuses = [
            (await http.get("/api/me", headers=bearer(f"pl_wrong-{i}"))).status_code
            for i in range(20)
        ]
        over = await http.post("/api/estates", json={"name": "x"}, headers=bearer("pl_wrong"))
        me = await http.get("/api/me", headers=bearer(owner))
        signed_in = await http.get("/login", params={"token": owner})
        link_guess = await http.get("/login", params={"token": "pl_guess"})
    assert statuses == [401] * 20
    assert over.status_code == 429, over.text
    assert over.headers["content-type"].startswith("application/problem+json")
    assert over.json()["code"] == "too_many_requests"
    assert 1 <= int(over.headers["retry-after"]) <= 60
    assert me.status_code == 200
    assert signed_in.status_code in (302, 303, 307)
    assert link_guess.status_code == 429, "sign-in links and bearer tokens share the limit"
    await _clear_failures(served.database_url)


async def test_forwarded_for_from_a_trusted_proxy_is_the_client(
    served: Served, behind_proxy: str
) -> None:
    await _clear_failures(served.database_url)
    owner = served.world.own["owner"]
    async with httpx.AsyncClient(base_url=behind_proxy, timeout=10) as http:
        guesses = [
            (await http.get("/api/me", headers={**bearer(f"pl_x{i}"), **_from("203.0.113.7")}))
            for i in range(21)
        ]
        # another client behind the same proxy is not held back by the guesser
        neighbour = await http.get("/api/me", headers={**bearer("pl_typo"), **_from("203.0.113.8")})
        # the guesser's address with the right token (a member sharing its NAT) gets in
        member = await http.get("/api/me", headers={**bearer(owner), **_from("203.0.113.7")})
        # the proxy's own chain: the last untrusted hop is the client, an earlier one is not
        chained = await http.get(
            "/api/me", headers={**bearer("pl_y"), **_from("10.9.9.9, 203.0.113.7")}
        )
    assert [g.status_code for g in guesses] == [401] * 20 + [429]
    assert neighbour.status_code == 401
    assert member.status_code == 200
    assert chained.status_code == 429
    await _clear_failures(served.database_url)


async def test_a_global_limit_holds_back_wrong_tokens_from_many_addresses(
    served: Served, behind_proxy: str
) -> None:
    await _clear_failures(served.database_url)
    owner = served.world.own["owner"]
    async with httpx.AsyncClient(base_url=behind_proxy, timeout=10) as http:
        spread = [
            (
                await http.get(
                    "/login", params={"token": f"g{i}"}, headers=_from(f"192.0.2.{i % 10 + 1}")
                )
            ).status_code
            for i in range(30)
        ]
        fresh = await http.get("/login", params={"token": "g"}, headers=_from("192.0.2.99"))
        right = await http.get("/login", params={"token": owner}, headers=_from("192.0.2.99"))
    assert spread == [401] * 30
    assert fresh.status_code == 429, fresh.text
    assert "all clients" in fresh.json()["detail"]
    assert right.status_code in (302, 303, 307)
    await _clear_failures(served.database_url)


async def _socket_close(url: str) -> tuple[int | None, str]:
    try:
        async with connect(url, open_timeout=10) as socket:
            await asyncio.wait_for(socket.recv(), 10)
    except ConnectionClosed as closed:
        frame = closed.rcvd
        return (frame.code, frame.reason) if frame else (None, "")
    except InvalidStatus as refused:
        return (refused.response.status_code, "")
    return (None, "open")


async def test_wrong_socket_tokens_count_like_wrong_bearer_tokens(served: Served) -> None:
    """``?token=`` on the live socket is a bearer token: wrong ones are counted, and over the
    limit the socket closes 4429 (too many) instead of 4401; a right token still connects."""
    await _clear_failures(served.database_url)
    world = served.world
    ws = world.base_url.replace("http", "ws", 1)
    closes = [
        await _socket_close(f"{ws}/ws/estates/{world.estate_a}?token=pl_wrong-{i}")
        for i in range(21)
    ]
    assert [code for code, _ in closes[:20]] == [4401] * 20, closes
    assert closes[20][0] == 4429, closes[20]
    conn = await connect_raw(served.database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM auth_failures") == 20
    finally:
        await conn.close()
    async with connect(
        f"{ws}/ws/estates/{world.estate_a}?token={world.own['owner']}", open_timeout=10
    ) as socket:
        hello = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert hello["type"] == "hello", hello
