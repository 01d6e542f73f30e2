"""Many owners casting at once: nothing lost, and every tally equals a recount of the ballots."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from itertools import pairwise

import httpx
import pytest

from planner.deliberation.ballot_box import PUSH_INTERVAL_S
from planner.deliberation.rules import decide
from planner.testing.recount import TALLY_FIELDS, recount_from_tables
from tests.conftest import RunningService, bearer
from tests.integration.deliberation.helpers import event_rows, open_motion, setup_voting, vote

CHOICES = ("yes", "no", "abstain")
pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]


@pytest.fixture
async def client(service: Callable[..., RunningService]) -> AsyncIterator[httpx.AsyncClient]:
    """A real ``planner serve`` over TCP, so that requests truly run at the same time."""
    running = service()
    # no keep-alive: a connection the server closes as idle must not meet a new request
    limits = httpx.Limits(max_connections=700, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=running.base_url, limits=limits, timeout=60) as http:
        http.headers["x-admin"] = running.admin_token
        yield http


@pytest.fixture
def admin_token(client: httpx.AsyncClient) -> str:
    return client.headers.pop("x-admin")


def estate_rows(owners: int, two_unit_owners: int) -> list[tuple[str, str, str, str]]:
    """``owners`` owners with one unit each, the first ``two_unit_owners`` with a second one."""
    rng = random.Random(278)
    rows = []
    for i in range(owners):
        building = f"{i % 8 + 1}栋"
        rows.append((building, f"{i:04d}", f"{rng.randint(4000, 15000) / 100:.2f}", f"o{i}"))
        if i < two_unit_owners:
            rows.append((building, f"{i:04d}B", f"{rng.randint(2000, 9000) / 100:.2f}", f"o{i}"))
    return rows


async def test_500_owners_casting_at_once_some_changing_lose_nothing(
    client: httpx.AsyncClient, admin_token: str, database_url: str
) -> None:
    voting = await setup_voting(client, admin_token, None, estate_rows(500, 40))
    _, motion_id = await open_motion(client, voting, matter=6)
    rng = random.Random(5)
    keys = sorted(voting.owners)
    casts = [(key, rng.choice(CHOICES)) for key in keys]
    # 150 owners change their vote, racing their own first ballot.
    casts += [(key, rng.choice(CHOICES)) for key in rng.sample(keys, 150)]
    rng.shuffle(casts)

    responses = await asyncio.gather(
        *(vote(client, voting.owners[key][1], motion_id, choice) for key, choice in casts)
    )
    assert [r.status_code for r in responses] == [201] * len(casts)
    units_cast = sum(len(r.json()["ballots"]) for r in responses)

    expected, counts, running, rows = await recount_from_tables(database_url, motion_id, 6)
    two_units = {f"o{i}" for i in range(40)}
    assert rows == units_cast == sum(2 if key in two_units else 1 for key, _ in casts)
    assert counts.participating_units == 540
    assert counts.total_owners == 500
    # the running counts kept by the casts equal the recount
    assert running == {f: getattr(counts, f) for f in running}
    # the API's tally equals the recount
    api_tally = (
        await client.get(f"/api/motions/{motion_id}/tally", headers=bearer(voting.committee))
    ).json()
    for field in TALLY_FIELDS:
        assert api_tally[field] == getattr(expected, field), field
    # the last pushed tally equals the recount (pushes are ordered by the counts' lock); it
    # may be the paced push owed by the last batches, within PUSH_INTERVAL_S
    for _ in range(40):
        events = await event_rows(database_url, voting.estate_id)
        pushes = [e for e in events if e["type"] == "tally.updated"]
        if pushes and pushes[-1]["data"]["yes_area_m2"] == expected.yes_area_m2:
            break
        await asyncio.sleep(0.1)
    assert pushes[-1]["data"]["yes_area_m2"] == expected.yes_area_m2
    assert pushes[-1]["data"]["participating_owners"] == expected.participating_owners
    assert decide(6, counts) == expected
    # pushes are paced: never two within PUSH_INTERVAL_S, however fast the ballots came
    gaps = [(b["at"] - a["at"]).total_seconds() for a, b in pairwise(pushes)]
    assert all(gap >= PUSH_INTERVAL_S * 0.95 for gap in gaps), min(gaps)

    closed = await client.post(f"/api/motions/{motion_id}/close", headers=bearer(voting.committee))
    assert closed.status_code == 200
    final = (
        await client.get(f"/api/motions/{motion_id}/tally", headers=bearer(voting.committee))
    ).json()
    assert final["yes_area_m2"] == expected.yes_area_m2 and final["passed"] == expected.passed
    receipts = (
        await client.get(f"/api/motions/{motion_id}/receipts", headers=bearer(voting.committee))
    ).json()["receipts"]
    assert len(receipts) == 540


async def test_two_casts_racing_for_one_unit_are_both_kept_in_order(
    client: httpx.AsyncClient, admin_token: str, database_url: str
) -> None:
    voting = await setup_voting(client, admin_token, None, estate_rows(3, 1))
    _, motion_id = await open_motion(client, voting)
    token = voting.owners["o0"][1]
    for _ in range(5):
        first, second = await asyncio.gather(
            vote(client, token, motion_id, "yes"), vote(client, token, motion_id, "no")
        )
        assert first.status_code == second.status_code == 201
        later = max((first, second), key=lambda r: r.json()["ballots"][0]["ballot_id"])
        record = (
            await client.get(f"/api/motions/{motion_id}/ballots", headers=bearer(voting.committee))
        ).json()
        counted = {r["household_id"]: r["choice"] for r in record if r["counted"]}
        assert set(counted.values()) == {later.json()["ballots"][0]["choice"]}
    _, counts, running, rows = await recount_from_tables(database_url, motion_id, 5)
    assert rows == 20
    assert running == {f: getattr(counts, f) for f in running}


async def test_casts_racing_a_close_are_either_counted_or_refused(
    client: httpx.AsyncClient, admin_token: str, database_url: str
) -> None:
    voting = await setup_voting(client, admin_token, None, estate_rows(200, 10))
    _, motion_id = await open_motion(client, voting)
    keys = sorted(voting.owners)

    # Some casts are in; then more casts race the close. Each is either counted (201) or
    # refused as a whole (409); whichever way the race goes, the tally is the recount.
    settled = await asyncio.gather(
        *(vote(client, voting.owners[k][1], motion_id, "yes") for k in keys[:40])
    )
    assert [r.status_code for r in settled] == [201] * 40
    before = [
        asyncio.create_task(vote(client, voting.owners[k][1], motion_id, "no"))
        for k in keys[40:120]
    ]
    await asyncio.sleep(0.1)
    closing = asyncio.create_task(
        client.post(f"/api/motions/{motion_id}/close", headers=bearer(voting.committee))
    )
    await asyncio.sleep(0.005)
    after = [
        asyncio.create_task(vote(client, voting.owners[k][1], motion_id, "abstain"))
        for k in keys[120:]
    ]
    responses = [*settled, *await asyncio.gather(*before, *after)]
    closed = await closing
    assert closed.status_code == 200
    assert {r.status_code for r in responses} <= {201, 409}
    late = await vote(client, voting.owners[keys[0]][1], motion_id, "no")
    assert late.status_code == 409
    accepted = sum(len(r.json()["ballots"]) for r in responses if r.status_code == 201)
    expected, counts, running, rows = await recount_from_tables(database_url, motion_id, 5)
    assert rows == accepted
    final = (
        await client.get(f"/api/motions/{motion_id}/tally", headers=bearer(voting.committee))
    ).json()
    assert final["participating_units"] == accepted
    assert final["yes_area_m2"] == expected.yes_area_m2
    assert final["no_area_m2"] == expected.no_area_m2
    assert running == {f: getattr(counts, f) for f in running}
