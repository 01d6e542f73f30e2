"""``planner demo``: the reference case of DOMAIN.md, loaded once, with sign-in links.

On start the service checks for the demo estates. If they are absent (or a previous load
broke off half-way, or ``--reset`` was given) it deletes whatever the demo left behind and
plays the whole history again through the service's own HTTP API (see
``planner.demo.loader``), then marks the load complete with a ``demo.loaded`` event.
If they are there, it loads nothing and only replaces the four tour members' sign-in
links: each run revokes the previous links of those members and prints fresh ones.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx

from planner.access.bootstrap import read_admin_token
from planner.db.pool import Database
from planner.db.store import lock_for_transaction
from planner.demo import population, store, story
from planner.demo.client import Caller, items
from planner.demo.loader import Story
from planner.demo.purge_store import purge_estates
from planner.events import append_event
from planner.runtime import announce
from planner.settings import Settings

DEMO_VERSION = 1
_LOAD_LOCK = 7_420_250_009
LOADED_EVENT = "demo.loaded"
DEMO_ESTATES = tuple(plan.name for plan in population.ESTATES)
# Estates the earlier placeholder demo created; --reset removes them too.
LEGACY_ESTATES = ("示范小区 Demo estate",)
TOUR = (
    ("committee", story.COMMITTEE_CHAIR),
    ("owner", story.TOUR_OWNER),
    ("supplier", story.BUILDER_NEGOTIATOR),
    ("treasurer", story.TREASURER),
)


async def demo_estates(conn: asyncpg.Connection, legacy: bool = False) -> dict[str, int]:
    return await store.estates_named(
        conn, list(DEMO_ESTATES) + (list(LEGACY_ESTATES) if legacy else [])
    )


async def is_loaded(conn: asyncpg.Connection) -> bool:
    """Both estates exist and the load of the main one finished."""
    estates = await demo_estates(conn)
    if set(estates) != set(DEMO_ESTATES):
        return False
    return await store.has_event(conn, estates[population.JINGUI.name], LOADED_EVENT)


async def remove_demo(db: Database) -> dict[str, int]:
    """Delete the demo estates (and the legacy placeholder's) in one transaction."""
    async with db.transaction() as conn:
        estates = await demo_estates(conn, legacy=True)
        return await purge_estates(conn, sorted(estates.values()))


async def load_demo(app: Any, settings: Settings, reset: bool = False) -> dict[str, Any]:
    """Make sure the demo is loaded; return ``{"loaded": bool, "links": {role: (name, url)}}``."""
    db: Database = app.state.db
    admin_token = app.state.new_admin_token or read_admin_token(settings.data_dir)
    if not admin_token:
        raise RuntimeError("no admin token in the data folder; run `planner token --admin`")
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))
    async with (
        httpx.AsyncClient(transport=transport, base_url=settings.base_url, timeout=120) as http,
        db.transaction() as lock,
    ):
        # Instances starting together on one database load the demo once: the others wait
        # here, then find it loaded and only print their links. The lock ends with this
        # transaction, whatever happens to the load.
        await lock_for_transaction(lock, _LOAD_LOCK)
        loaded = await is_loaded(lock)
        result = await _load_or_refresh(http, db, admin_token, reset or not loaded)
    return {
        "loaded": reset or not loaded,
        "links": {
            role: (person.display_name, f"{settings.base_url}/login?token={result[role]}")
            for role, person in TOUR
        },
    }


async def _load_or_refresh(
    http: httpx.AsyncClient, db: Database, admin_token: str, load: bool
) -> dict[str, str]:
    """Tokens of the tour's members: from a fresh load, or new grants for the same people."""
    if not load:
        return await fresh_links(http, db, admin_token)
    await remove_demo(db)
    played = Story(http, admin_token)
    try:
        tour = await played.play()
    except BaseException:
        await remove_demo(db)
        raise
    async with db.transaction() as conn:
        await store.redate(conn, played.estate_ids, played.clock.windows())
        estate_id = (await demo_estates(conn))[population.JINGUI.name]
        await append_event(
            conn,
            estate_id=estate_id,
            type=LOADED_EVENT,
            data={"version": DEMO_VERSION},
            actor_id=None,
            audience="staff",
        )
    return {role: tour[role].token for role, _ in TOUR}


async def fresh_links(http: httpx.AsyncClient, db: Database, admin_token: str) -> dict[str, str]:
    """Revoke the tour members' previous grants and add the same people again."""
    async with db.connection() as conn:
        estate_id = (await demo_estates(conn))[population.JINGUI.name]
    admin = Caller(http, admin_token)
    members = items(await admin.get(f"/api/estates/{estate_id}/members"))
    tokens: dict[str, str] = {}
    for role, person in TOUR:
        same = [
            m
            for m in members
            if not m["revoked"]
            and m["role"] == person.role
            and m["display_name"] == person.display_name
        ]
        if not same:
            raise RuntimeError(f"the demo's {role} ({person.display_name}) is missing; use --reset")
        previous = same[-1]
        body: dict[str, Any] = {"role": person.role, "display_name": person.display_name}
        if previous["household_ids"]:
            body["household_ids"] = previous["household_ids"]
        if previous["supplier_id"] is not None:
            body["supplier_id"] = previous["supplier_id"]
        for member in same:
            await admin.post(f"/api/members/{member['id']}/revoke")
        created = await admin.post(f"/api/estates/{estate_id}/members", body)
        tokens[role] = created["token"]
    return tokens


def demo_after_start(settings: Settings, reset: bool = False) -> Callable[[Any], Awaitable[None]]:
    printer = announce(settings)

    async def after_start(app: Any) -> None:
        started = time.perf_counter()
        logging.getLogger("httpx").setLevel(logging.WARNING)
        try:
            result = await load_demo(app, settings, reset=reset)
        except Exception as exc:
            print(f"planner demo: loading the demo failed: {exc}", file=sys.stderr, flush=True)
            raise
        took = time.perf_counter() - started
        await printer(app)
        if result["loaded"]:
            print(f"planner demo: loaded {' and '.join(DEMO_ESTATES)} in {took:.1f} s", flush=True)
        else:
            print("planner demo: the demo is already loaded (nothing new loaded)", flush=True)
        print("planner demo: sign-in links (each run replaces the previous ones)", flush=True)
        for role, (name, url) in result["links"].items():
            print(f"  {role:10} {url}  {name}", flush=True)
        print(f"planner demo: open {settings.base_url}/ and follow a link above", flush=True)

    return after_start
