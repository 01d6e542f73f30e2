"""A big household import leaves the event loop free, and stays all-or-nothing (issue 15, item 8).

The app runs under uvicorn in the test's own event loop, beside a probe that sleeps 5 ms
over and over and records how late it wakes, and a client polling ``/health``. Parsing
the file on the loop (the old import) makes the probe wake at least as late as the parse
takes; the bound is half of that parse time, measured on this machine just before (the
mean of two parses, so a moment of load on the shared machine moves the bound little).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from planner.estates.csv_rules import stage_households
from planner.settings import Settings
from planner.testing import bearer, running_app
from planner.testing.register import HEADER, household_register

# exclusive: it asserts how long the loop stalls (failed once at 0.39 s for a 0.38 s bound
# beside two other xdist workers)
pytestmark = [pytest.mark.timeout(240), pytest.mark.exclusive]

ROWS = 40_000


async def _loop_lag(stop: asyncio.Event, lags: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        began = loop.time()
        await asyncio.sleep(0.005)
        lags.append(loop.time() - began - 0.005)


async def _poll_health(http: httpx.AsyncClient, stop: asyncio.Event, times: list[float]) -> None:
    while not stop.is_set():
        began = time.perf_counter()
        assert (await http.get("/health")).status_code == 200
        times.append(time.perf_counter() - began)
        await asyncio.sleep(0.02)


@pytest.fixture
async def big(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, str, int]]:
    """(client, admin token, a new empty estate's id) on the app in this loop."""
    async with running_app(settings) as (base_url, app):
        token = app.state.new_admin_token
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
            made = await http.post("/api/estates", json={"name": "大小区"}, headers=bearer(token))
            assert made.status_code == 201, made.text
            yield http, token, made.json()["id"]


async def _import(
    http: httpx.AsyncClient, token: str, estate_id: int, raw: bytes
) -> httpx.Response:
    return await http.post(
        f"/api/estates/{estate_id}/households/import",
        content=raw,
        headers={**bearer(token), "content-type": "text/csv"},
    )


async def test_a_big_import_leaves_the_loop_serving(
    big: tuple[httpx.AsyncClient, str, int],
) -> None:
    http, token, estate_id = big
    raw = household_register(ROWS)
    began = time.perf_counter()
    for _ in range(2):
        stage_households(raw)
    parse_s = (time.perf_counter() - began) / 2

    lags: list[float] = []
    health: list[float] = []
    stop = asyncio.Event()
    probes = [
        asyncio.create_task(_loop_lag(stop, lags)),
        asyncio.create_task(_poll_health(http, stop, health)),
    ]
    await asyncio.sleep(0.1)
    try:
        imported = await _import(http, token, estate_id, raw)
    finally:
        stop.set()
        await asyncio.gather(*probes)

    assert imported.status_code == 201, imported.text
    assert imported.json()["households_created"] == ROWS
    bound = parse_s / 2
    assert max(lags) < bound, (
        f"the loop stalled {max(lags):.3f} s during the import (parse alone takes {parse_s:.3f} s)"
    )
    assert max(health) < bound + 0.05, (
        f"/health took up to {max(health):.3f} s during the import (parse {parse_s:.3f} s)"
    )
    listed = await http.get(f"/api/estates/{estate_id}/households", headers=bearer(token))
    assert len(listed.json()) == ROWS


async def test_a_bad_last_row_of_a_big_file_stores_nothing(
    big: tuple[httpx.AsyncClient, str, int],
) -> None:
    http, token, estate_id = big
    refused = await _import(http, token, estate_id, household_register(ROWS, bad_line=ROWS + 1))
    assert refused.status_code == 400
    (error,) = refused.json()["errors"]
    assert (error["field"], error["code"]) == (f"line {ROWS + 1}.area_m2", "not_positive")
    households = await http.get(f"/api/estates/{estate_id}/households", headers=bearer(token))
    buildings = await http.get(f"/api/estates/{estate_id}/buildings", headers=bearer(token))
    assert (households.json(), buildings.json()) == ([], [])


async def test_a_taken_unit_on_the_last_row_stores_nothing_more(
    big: tuple[httpx.AsyncClient, str, int],
) -> None:
    http, token, estate_id = big
    raw = household_register(ROWS)
    last = raw.decode().splitlines()[-1]
    first = await _import(http, token, estate_id, (HEADER + last + "\n").encode())
    assert first.status_code == 201, first.text
    refused = await _import(http, token, estate_id, raw)
    assert refused.status_code == 400
    assert refused.json()["code"] == "already_exists"
    assert refused.json()["errors"][0]["field"] == f"line {ROWS + 1}.unit"
    households = await http.get(f"/api/estates/{estate_id}/households", headers=bearer(token))
    buildings = await http.get(f"/api/estates/{estate_id}/buildings", headers=bearer(token))
    assert len(households.json()) == 1
    assert len(buildings.json()) == 1


async def test_two_imports_of_one_file_at_once_store_it_once(
    big: tuple[httpx.AsyncClient, str, int],
) -> None:
    http, token, estate_id = big
    raw = household_register(ROWS)
    answers = await asyncio.gather(*(_import(http, token, estate_id, raw) for _ in range(2)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses in ([201, 400], [201, 409]), [a.text[:200] for a in answers]
    households = await http.get(f"/api/estates/{estate_id}/households", headers=bearer(token))
    assert len(households.json()) == ROWS
