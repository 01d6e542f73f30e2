"""The embedded PostgreSQL stops when the last ``planner`` process using it exits cleanly,
stays up while another one uses it, and survives a SIGKILL to be reused by the next start.

``test_embedded_restart.py`` checks that the data survives a restart.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from planner.testing import RunningService, bearer, start_service

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def _serve(data_dir: Path, command: str = "serve") -> RunningService:
    return start_service(None, data_dir, args=(command,), timeout=120)


def _postmaster(data_dir: Path) -> int:
    return int((data_dir / "pg" / "postmaster.pid").read_text().split()[0])


def _is_postgres(pid: int) -> bool:
    try:
        return b"postgres" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _is_postgres(pid):
            return True
        time.sleep(0.1)
    return False


def _exit(service: RunningService, signum: signal.Signals) -> None:
    service.process.send_signal(signum)
    # uvicorn shuts down, then re-raises the signal it caught (exit status -signum)
    assert service.process.wait(60) in (0, -signum), "a clean exit"


def _estates(service: RunningService) -> list[str]:
    answer = httpx.get(
        f"{service.base_url}/api/estates", headers=bearer(service.admin_token), timeout=30
    )
    assert answer.status_code == 200, answer.text
    return [e["name"] for e in answer.json()]


@pytest.mark.parametrize(
    ("command", "signum"),
    [("serve", signal.SIGTERM), ("serve", signal.SIGINT), ("demo", signal.SIGINT)],
)
def test_a_clean_exit_stops_the_embedded_server(
    tmp_path: Path, command: str, signum: signal.Signals
) -> None:
    service = _serve(tmp_path / "data", command)
    postmaster = _postmaster(service.data_dir)
    assert _is_postgres(postmaster)
    _exit(service, signum)
    assert _gone_within(postmaster, 10), "the embedded PostgreSQL was left running"


def test_two_instances_share_it_and_the_last_one_stops_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = _serve(data_dir)
    second = _serve(data_dir)
    postmaster = _postmaster(data_dir)
    try:
        _exit(first, signal.SIGTERM)
        time.sleep(2)
        assert _is_postgres(postmaster), "stopped under the other instance"
        made = httpx.post(
            f"{second.base_url}/api/estates",
            json={"name": "共用"},
            headers=bearer(second.admin_token),
            timeout=30,
        )
        assert made.status_code == 201, made.text
        assert (httpx.get(f"{second.base_url}/health", timeout=10)).json()["database"] == "ok"
        _exit(second, signal.SIGTERM)
        assert _gone_within(postmaster, 10), "the last instance left it running"
    finally:
        first.stop()
        second.stop()


def test_after_a_sigkill_the_next_start_reuses_it_and_a_clean_exit_stops_it(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    killed = _serve(data_dir)
    httpx.post(
        f"{killed.base_url}/api/estates",
        json={"name": "留存"},
        headers=bearer(killed.admin_token),
        timeout=30,
    )
    postmaster = _postmaster(data_dir)
    killed.process.send_signal(signal.SIGKILL)
    killed.process.wait(30)
    assert _is_postgres(postmaster), "a SIGKILL cannot stop it"

    again = _serve(data_dir)
    try:
        assert _postmaster(data_dir) == postmaster, "the running server is reused"
        assert _estates(again) == ["留存"]
        _exit(again, signal.SIGTERM)
        assert _gone_within(postmaster, 10), "left running after a SIGKILL earlier"
        # and the next start starts it afresh
        third = _serve(data_dir)
        try:
            assert _postmaster(data_dir) != postmaster
            assert _estates(third) == ["留存"]
        finally:
            _exit(third, signal.SIGTERM)
        assert not (data_dir / "pg" / "postmaster.pid").exists()
    finally:
        again.stop()
    assert os.path.exists(data_dir / "pg" / "PG_VERSION")
