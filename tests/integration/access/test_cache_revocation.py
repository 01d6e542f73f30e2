"""The principal cache on two instances (issue 21): revoked, changed or signed-out members
are refused (or seen changed) on every instance within 1 s, and a lost doorbell empties it.

Two ``planner serve`` processes share one PostgreSQL. Each test first warms both caches, and
shows that they are warm: a change made with the database's triggers switched off (so no
doorbell rings) is not seen by either instance.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from planner.db.embedded import EmbeddedPostgres
from planner.db.pool import connect_raw
from planner.live.feed import LISTENER_NAME
from planner.testing.service import RunningService, start_service
from tests.conftest import _cloned_database, bearer

pytestmark = [pytest.mark.slow, pytest.mark.exclusive, pytest.mark.timeout(180)]

WITHIN_S = 1.0


class Pair:
    def __init__(self, database_url: str, a: RunningService, b: RunningService) -> None:
        self.database_url = database_url
        self.a = a
        self.b = b


@pytest.fixture(scope="module")
async def pair(
    pg: EmbeddedPostgres, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Pair]:
    async with _cloned_database(pg, template_db, "cache") as database_url:
        folder: Path = tmp_path_factory.mktemp("cache")
        a = start_service(database_url, folder, timeout=120)
        try:
            b = start_service(database_url, folder, timeout=120)
            try:
                yield Pair(database_url, a, b)
            finally:
                b.stop()
        finally:
            a.stop()


async def _post(base: str, path: str, token: str, body: dict[str, Any]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        return await http.post(path, json=body, headers=bearer(token))


async def new_member(pair: Pair, role: str = "owner") -> tuple[int, int, str]:
    admin = pair.a.admin_token
    estate = await _post(pair.a.base_url, "/api/estates", admin, {"name": "缓存小区"})
    assert estate.status_code == 201, estate.text
    estate_id = estate.json()["id"]
    made = await _post(
        pair.a.base_url,
        f"/api/estates/{estate_id}/members",
        admin,
        {"role": role, "display_name": "甲"},
    )
    assert made.status_code == 201, made.text
    return estate_id, made.json()["member_id"], made.json()["token"]


async def me(base: str, token: str | None = None, cookies: httpx.Cookies | None = None) -> Any:
    async with httpx.AsyncClient(base_url=base, timeout=10, cookies=cookies) as http:
        response = await http.get("/api/me", headers=bearer(token) if token else {})
    return response.json() if response.status_code == 200 else response.status_code


async def silently(pair: Pair, sql: str, *args: Any) -> None:
    """Change the database with its triggers off: no doorbell rings."""
    conn = await connect_raw(pair.database_url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(sql, *args)
    finally:
        await conn.close()


async def warm(pair: Pair, member_id: int, token: str) -> None:
    """Both caches hold the member (a silent rename is not seen), then the name is put back
    with the doorbell on, which both hear."""
    for base in (pair.a.base_url, pair.b.base_url):
        assert (await me(base, token))["display_name"] == "甲"
    await silently(pair, "UPDATE members SET display_name = '乙' WHERE id = $1", member_id)
    for base in (pair.a.base_url, pair.b.base_url):
        assert (await me(base, token))["display_name"] == "甲", "the cache was not used"
    await silently(pair, "UPDATE members SET display_name = '甲' WHERE id = $1", member_id)


async def until(check: Callable[[], Awaitable[bool]], limit_s: float = WITHIN_S) -> float:
    """Seconds until ``check()`` holds; fails beyond ``limit_s``."""
    started = time.monotonic()
    while True:
        if await check():
            return time.monotonic() - started
        elapsed = time.monotonic() - started
        assert elapsed < limit_s, f"still not after {elapsed:.2f} s"
        await _sleep(0.02)


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def test_a_token_revoked_on_one_instance_is_refused_by_the_other_within_a_second(
    pair: Pair,
) -> None:
    _, member_id, token = await new_member(pair)
    await warm(pair, member_id, token)
    revoked = await _post(
        pair.a.base_url, f"/api/members/{member_id}/revoke", pair.a.admin_token, {}
    )
    assert revoked.status_code == 200, revoked.text

    async def refused_by_b() -> bool:
        return await me(pair.b.base_url, token) == 401

    await until(refused_by_b)
    assert await me(pair.a.base_url, token) == 401


async def test_a_role_change_is_seen_by_both_instances_within_a_second(pair: Pair) -> None:
    _, member_id, token = await new_member(pair, "committee")
    await warm(pair, member_id, token)
    conn = await connect_raw(pair.database_url)
    try:
        await conn.execute("UPDATE members SET role = 'observer' WHERE id = $1", member_id)
    finally:
        await conn.close()
    for base in (pair.b.base_url, pair.a.base_url):

        async def observer(base: str = base) -> bool:
            return (await me(base, token))["role"] == "observer"

        await until(observer)


async def test_households_assigned_later_are_seen_within_a_second(pair: Pair) -> None:
    estate_id, member_id, token = await new_member(pair)
    await warm(pair, member_id, token)
    conn = await connect_raw(pair.database_url)
    try:
        building_id = await conn.fetchval(
            "INSERT INTO buildings (estate_id, name) VALUES ($1, '1栋') RETURNING id", estate_id
        )
        household_id = await conn.fetchval(
            "INSERT INTO households (estate_id, building_id, unit, floor, area_m2, owner_key,"
            " owner_name) VALUES ($1, $2, '101', 1, 80, 'k1', '业主') RETURNING id",
            estate_id,
            building_id,
        )
        await conn.execute(
            "INSERT INTO member_households (member_id, household_id) VALUES ($1, $2)",
            member_id,
            household_id,
        )
    finally:
        await conn.close()

    async def has_it() -> bool:
        return (await me(pair.b.base_url, token))["household_ids"] == [household_id]

    await until(has_it)


async def test_a_session_signed_out_on_one_instance_is_refused_by_the_other(pair: Pair) -> None:
    _, _, token = await new_member(pair)
    async with httpx.AsyncClient(base_url=pair.b.base_url, timeout=10) as http:
        signed_in = await http.get("/login", params={"token": token}, follow_redirects=False)
        assert signed_in.status_code in (302, 303), signed_in.text
        cookies = http.cookies
    for base in (pair.a.base_url, pair.b.base_url):
        assert (await me(base, cookies=cookies))["role"] == "owner"
    async with httpx.AsyncClient(base_url=pair.a.base_url, timeout=10, cookies=cookies) as http:
        out = await http.post(
            "/logout", headers={"X-CSRF-Token": cookies.get("planner_csrf") or ""}
        )
        assert out.status_code == 200, out.text

    async def refused_by_b() -> bool:
        return await me(pair.b.base_url, cookies=cookies) == 401

    await until(refused_by_b)


async def test_a_lost_doorbell_empties_the_cache(pair: Pair) -> None:
    _, member_id, token = await new_member(pair)
    await warm(pair, member_id, token)
    await silently(pair, "UPDATE members SET revoked_at = now() WHERE id = $1", member_id)
    # Unheard, so both instances still take the token from their caches.
    assert (await me(pair.b.base_url, token))["member_id"] == member_id
    conn = await connect_raw(pair.database_url)
    try:
        ended = await conn.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = $1 AND datname = current_database()",
            LISTENER_NAME,
        )
    finally:
        await conn.close()
    assert ended == 2  # one doorbell connection per instance

    async def refused_by_both() -> bool:
        return all([await me(b, token) == 401 for b in (pair.a.base_url, pair.b.base_url)])

    await until(refused_by_both, limit_s=5.0)
