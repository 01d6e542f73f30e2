"""The demo estate, loaded once by ``planner demo`` (a small one until the reference case lands)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from planner.access import store as access_store
from planner.access.tokens import new_token
from planner.estates import store as estate_store
from planner.estates.csv_rules import parse_households
from planner.live.events import append_event
from planner.settings import Settings

DEMO_NAME = "示范小区 Demo estate"
DEMO_ROLES = (
    ("committee", "业委会 王主任"),
    ("owner", "业主 李女士"),
    ("treasurer", "财务 陈会计"),
    ("observer", "街道 观察员"),
)


def _demo_csv() -> str:
    lines = ["building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen"]
    for b in (1, 2, 3):
        for floor in range(1, 7):
            for door in (1, 2):
                unit = f"{floor}0{door}"
                area = f"{72 + (b * 7 + floor * 3 + door * 5) % 60}.{(floor * 13 + door) % 100:02d}"
                cap = "0" if (b, floor, door) == (3, 1, 1) else ""
                lines.append(f"{b}栋,{unit},{floor},{area},O-{b}-{unit},业主{b}{unit},{cap}")
    return "\n".join(lines)


async def load_demo(conn: asyncpg.Connection, reset: bool = False) -> dict[str, str]:
    """Create the demo estate if absent; return fresh sign-in tokens per role."""
    async with conn.transaction():
        estate_id = await conn.fetchval("SELECT id FROM estates WHERE name = $1", DEMO_NAME)
        if estate_id is None:
            estate = await estate_store.insert_estate(conn, DEMO_NAME, "株洲市 芦淞区")
            estate_id = estate.id
            rows = parse_households(_demo_csv())
            ids, _ = await estate_store.ensure_buildings(
                conn, estate_id, sorted({r.building for r in rows})
            )
            await estate_store.copy_households(conn, estate_id, ids, rows)
            await append_event(
                conn,
                estate_id=estate_id,
                type="estate.created",
                data={"name": DEMO_NAME},
                actor_id=None,
                audience="all",
            )
        owner_units = await conn.fetch(
            "SELECT id FROM households WHERE estate_id = $1 ORDER BY id LIMIT 1", estate_id
        )
        tokens: dict[str, str] = {}
        for role, name in DEMO_ROLES:
            token = new_token()
            await conn.execute(
                "UPDATE members SET revoked_at = now() WHERE estate_id = $1 AND display_name = $2 "
                "AND revoked_at IS NULL",
                estate_id,
                name,
            )
            households = [r["id"] for r in owner_units] if role == "owner" else []
            await access_store.insert_member(
                conn,
                estate_id=estate_id,
                role=role,
                display_name=name,
                token=token,
                supplier_id=None,
                household_ids=households,
            )
            tokens[role] = token
    return tokens


def demo_after_start(settings: Settings, reset: bool = False) -> Callable[[Any], Awaitable[None]]:
    from planner.cli import announce

    printer = announce(settings)

    async def after_start(app: Any) -> None:
        async with app.state.db.connection() as conn:
            tokens = await load_demo(conn, reset=reset)
        await printer(app)
        print("planner demo: sign-in links", flush=True)
        for role, token in tokens.items():
            print(f"  {role:10} {settings.base_url}/login?token={token}", flush=True)

    return after_start
