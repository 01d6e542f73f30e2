"""``planner demo``: the reference case of DOMAIN.md, loaded once, with sign-in links.

On start the service checks for the demo estates. If they are absent (or a previous load
broke off half-way, or ``--reset`` was given) it deletes whatever the demo left behind and
plays the whole history again through the service's own HTTP API (see
``planner.demo.loader``), then marks the load complete with a ``demo.loaded`` event.
If they are there, it loads nothing and only replaces the four tour members' sign-in
links: each run revokes the previous links of those members and prints fresh ones.

The story ends with the 5栋 roof's written consultation closing by itself: the load holds
this instance's consultation schedule while it writes the history (the schedule dates its
steps by the wall clock, the story by its own), opens the consultation on the story clock,
then lets the schedule run again and waits until it closes the consultation at its
``closes_at``, a few seconds later; the chair then publishes the result announcement.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg
import httpx

from planner.access.bootstrap import read_admin_token
from planner.consultation import routes as consultation_routes
from planner.db.pool import Database
from planner.db.store import lock_for_transaction
from planner.demo import population, store, story
from planner.demo.client import Caller, items
from planner.demo.loader import Story
from planner.demo.purge_store import purge_estates
from planner.demo.wishes_chapter import TOUR_PARTNER
from planner.events import append_event
from planner.money import format_money
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
    ("partner", story.Person("partner", "partner", TOUR_PARTNER)),
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
        result, consultation = await _load_or_refresh(
            app, http, db, admin_token, reset or not loaded
        )
        needs = await demo_needs(http, db, admin_token)
        district = await district_link(http, db, admin_token)
    base = settings.base_url
    return {
        "loaded": reset or not loaded,
        "links": {
            **{
                role: (person.display_name, f"{base}/login?token={result[role]}")
                for role, person in TOUR
            },
            "district": (DISTRICT_PERSON, f"{base}/login?token={district}"),
        },
        "consultation": consultation,
        "needs": needs,
        "consultation_links": {
            "committee": f"{base}/#/consultations/{consultation['id']}",
            "paper": f"{base}/#/consultations/{consultation['id']}/paper",
            "owner": f"{base}/#/consultations/{consultation['id']}",
            "public": f"{base}/#/c/{consultation['public_token']}",
            "announcement": f"{base}/api/public/consultations/"
            f"{consultation['public_token']}/announcement.html",
        },
    }


async def _load_or_refresh(
    app: Any, http: httpx.AsyncClient, db: Database, admin_token: str, load: bool
) -> tuple[dict[str, str], dict[str, Any]]:
    """Tokens of the tour's members: from a fresh load, or new grants for the same people;
    and the 5栋 roof's consultation."""
    if not load:
        tokens = await fresh_links(http, db, admin_token)
        return tokens, await demo_consultation(http, db, admin_token)
    await remove_demo(db)
    played = Story(http, admin_token, db)
    # Held while the story is written: the schedule would take the consultation's steps
    # at the wall clock's time, out of the story's order. The load takes them itself.
    await consultation_routes.on_shutdown(app)
    try:
        tour = await played.play()
        async with db.transaction() as conn:
            await store.redate(conn, played.estate_ids, played.clock.windows())
    except BaseException:
        await consultation_routes.on_startup(app)
        await remove_demo(db)
        raise
    await consultation_routes.on_startup(app)
    try:
        consultation = await played.conclude()  # closes by itself, then announced
    except BaseException:
        await remove_demo(db)
        raise
    async with db.transaction() as conn:
        estate_id = (await demo_estates(conn))[population.JINGUI.name]
        await append_event(
            conn,
            estate_id=estate_id,
            type=LOADED_EVENT,
            data={"version": DEMO_VERSION},
            actor_id=None,
            audience="staff",
        )
    return {role: tour[role].token for role, _ in TOUR}, consultation


async def demo_consultation(
    http: httpx.AsyncClient, db: Database, admin_token: str
) -> dict[str, Any]:
    """The loaded demo's 5栋 roof consultation, as the admin sees it."""
    async with db.connection() as conn:
        estate_id = (await demo_estates(conn))[population.JINGUI.name]
    found = await Caller(http, admin_token).get(f"/api/estates/{estate_id}/consultations")
    for consultation in items(found):
        if consultation["title"] == story.ROOF_CONSULTATION.title:
            return dict(consultation)
    raise RuntimeError("the demo's 5栋 roof consultation is missing; use --reset")


async def demo_needs(http: httpx.AsyncClient, db: Database, admin_token: str) -> dict[str, Any]:
    """The needs of the loaded demo as the admin reads them: the board's figures, the small
    wishes' summary and the equal-shares round."""
    async with db.connection() as conn:
        estate_id = (await demo_estates(conn))[population.JINGUI.name]
    admin = Caller(http, admin_token)
    board = await admin.get(f"/api/estates/{estate_id}/board")
    wishes = await admin.get(f"/api/estates/{estate_id}/wishes/summary")
    rounds = items(await admin.get(f"/api/estates/{estate_id}/choice-rounds"))
    chosen = next(r for r in rounds if r["title"] == story.CHOICE_TITLE)
    plans = items(await admin.get(f"/api/estates/{estate_id}/funding-plans"))
    plan = next(p for p in plans if p["status"] == "approved")
    finals = items(await admin.get(f"/api/estates/{estate_id}/final-accounts"))
    final = next(f for f in finals if f["status"] == "approved")
    works = items(await admin.get(f"/api/estates/{estate_id}/works"))
    return {
        "estate_id": estate_id,
        "plan_id": plan["id"],
        "balances": (await admin.get(f"/api/funding-plans/{plan['id']}/balances"))["totals"],
        "final": await admin.get(f"/api/final-accounts/{final['id']}"),
        "done": [w["title"] for w in works if w["status"] == "done"],
        "disclosure_token": (await admin.get(f"/api/estates/{estate_id}/disclosure"))[
            "public_token"
        ],
        "figures": board["figures"],
        "wishes_fulfilled": sum(p["fulfilled"] for p in wishes["partners"]),
        "partners": len({p["display_name"] for p in wishes["partners"]}),
        "choice": await admin.get(f"/api/choice-rounds/{chosen['id']}"),
    }


def needs_lines(result: dict[str, Any], base: str) -> str:
    """What the output says about the needs before the renovation, and where to see them."""
    needs = result["needs"]
    f = needs["figures"]
    choice = needs["choice"]
    lines = [
        f"planner demo: before the renovation: {f['suggestions_received']} suggestions from the "
        f"needs questionnaire, {f['problems_listed']} common problems ({f['problems_solved']} "
        f"solved, {f['problems_urgent_solved']} of them urgent), {needs['wishes_fulfilled']} "
        f"small wishes fulfilled by {needs['partners']} partner units; choice round "
        f"{choice['id']} ({choice['status']}): equal shares chose the public works",
        f"  board      {base}/#/board  (sign in first; printable: "
        f"{base}/api/estates/{needs['estate_id']}/board.html)",
        f"  choice     {base}/#/choice/{choice['id']}  (equal shares beside most votes)",
        f"  problems   {base}/#/problems   suggestions {base}/#/suggestions",
        f"  wishes     {base}/#/wishes  (sign in as partner: claim and fulfil)",
    ]
    return "\n".join(lines)


def after_lines(result: dict[str, Any], base: str) -> str:
    """What the output says about the works delivered, the money collected and settled."""
    needs = result["needs"]
    paid, due = needs["balances"]["paid_fen"], needs["balances"]["due_fen"]
    final = needs["final"]
    return "\n".join(
        [
            f"planner demo: after the decision: {', '.join(needs['done'])} delivered and "
            f"accepted; {format_money(paid)} of {format_money(due)} collected "
            f"({paid * 1000 // due / 10} %, {needs['balances']['in_arrears']} households in "
            f"arrears); final accounts v{final['version']} ({final['status']}): refunds "
            f"{format_money(final['refund_total_fen'])}, top-ups "
            f"{format_money(final['topup_total_fen'])}",
            f"  delivery   {base}/#/delivery  (the timeline; printable: "
            f"{base}/api/estates/{needs['estate_id']}/timeline.html)",
            f"  ledger     {base}/#/funding/{needs['plan_id']}/ledger  (sign in as treasurer)",
            f"  settlement {base}/#/settlement  (variations and final accounts)",
            f"  disclosure {base}/#/d/{needs['disclosure_token']}  (公示, no sign-in; printable: "
            f"{base}/api/public/disclosures/{needs['disclosure_token']}/notice.html)",
        ]
    )


#: the sub-district (街道) staff member who follows both demo estates (issue 21)
DISTRICT_PERSON = "荷塘区 月塘街道办 王敏"


async def district_link(http: httpx.AsyncClient, db: Database, admin_token: str) -> str:
    """A fresh district member over both demo estates (the previous one revoked): its token."""
    async with db.connection() as conn:
        estates = await demo_estates(conn)
    admin = Caller(http, admin_token)
    for member in await admin.get("/api/district-members"):
        if member["display_name"] == DISTRICT_PERSON and not member["revoked"]:
            await admin.post(f"/api/district-members/{member['id']}/revoke")
    created = await admin.post(
        "/api/district-members",
        {
            "display_name": DISTRICT_PERSON,
            "estate_ids": sorted(estates.values()),
            "level": "subdistrict",
        },
    )
    token: str = created["token"]
    return token


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
        if previous.get("partner_kind"):
            body["partner_kind"] = previous["partner_kind"]
        for member in same:
            await admin.post(f"/api/members/{member['id']}/revoke")
        created = await admin.post(f"/api/estates/{estate_id}/members", body)
        tokens[role] = created["token"]
    return tokens


def consultation_lines(result: dict[str, Any]) -> str:
    """What the output says about the 5栋 roof's written consultation, and where to see it."""
    c = result["consultation"]
    links = result["consultation_links"]
    closed = datetime.fromisoformat(c["closed_at"]).astimezone(story.ZONE)
    closes = datetime.fromisoformat(c["closes_at"]).astimezone(story.ZONE)
    how = "by itself" if c["closed_by"] is None else f"by member {c['closed_by']}"
    written = ""
    if c.get("story_written_at"):
        at = datetime.fromisoformat(c["story_written_at"]).astimezone(story.ZONE)
        written = f"; the story was written by {at:%H:%M:%S}"
    lines = [
        f"planner demo: written consultation {c['id']} {c['title']}: {c['status']}; "
        f"closed {how} at {closed:%H:%M:%S} (closes_at {closes:%H:%M:%S}, Beijing time"
        f"{written})",
        f"  committee  {links['committee']}  (sign in as committee first; paper entry: "
        f"{links['paper']})",
        f"  owner      {links['owner']}  (sign in as owner first)",
        f"  public     {links['public']}  (no sign-in)",
        f"  announce   {links['announcement']}  (printable result, no sign-in)",
    ]
    return "\n".join(lines)


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
        print(consultation_lines(result), flush=True)
        print(needs_lines(result, settings.base_url), flush=True)
        print(after_lines(result, settings.base_url), flush=True)
        print(f"planner demo: open {settings.base_url}/ and follow a link above", flush=True)

    return after_start
