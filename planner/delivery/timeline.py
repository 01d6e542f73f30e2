"""The estate's delivery timeline (Gantt) and its "一张图": goals by month, quarter or
half-year with the responsible unit."""

from __future__ import annotations

from planner.access.guards import MEMBERS, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.delivery import store
from planner.delivery.model import MilestoneOut, MilestoneRow, Timeline, TimelineWork, UnitGoal
from planner.delivery.rules import DELIVERY_STATUSES
from planner.delivery.service import milestone_out, work_progress
from planner.errors import NotFound
from planner.estates.store import estate_exists, estate_time_zone
from planner.events import event_now
from planner.localtime import local_day
from planner.works import store as works_store


def goals(milestones: list[MilestoneOut]) -> list[UnitGoal]:
    """Milestones grouped by planned period and responsible unit, by period end."""
    groups: dict[tuple[str, str], list[MilestoneOut]] = {}
    for m in milestones:
        groups.setdefault((m.planned, m.responsible_unit), []).append(m)
    out = [
        UnitGoal(
            planned=planned,
            period_kind=ms[0].period_kind,
            planned_end=ms[0].planned_end,
            responsible_unit=unit,
            milestone_ids=[m.id for m in ms],
            done=sum(1 for m in ms if m.done),
            overdue=sum(1 for m in ms if m.overdue),
        )
        for (planned, unit), ms in groups.items()
    ]
    return sorted(out, key=lambda g: (g.planned_end, g.planned, g.responsible_unit))


async def timeline(db: Database, estate_id: int, principal: Principal) -> Timeline:
    """Members: the works that are awarded or later, each with its milestones (planned periods,
    done and overdue flags) and weighted progress, and the goals by period and unit."""
    authorize(principal, estate_id, MEMBERS, what="estate")
    async with db.connection() as conn:
        if not await estate_exists(conn, estate_id):
            raise NotFound("estate")
        zone = await estate_time_zone(conn, estate_id)
        works = [
            w
            for w in await works_store.list_works(conn, estate_id, None)
            if w.status in DELIVERY_STATUSES
        ]
        rows = await store.estate_milestones(conn, estate_id)
        accepted = await store.accepted_work_ids(conn, estate_id)
    now = event_now()
    out: list[TimelineWork] = []
    every: list[MilestoneOut] = []
    by_work: dict[int, list[MilestoneRow]] = {}
    for row in rows:
        by_work.setdefault(row.work_id, []).append(row)
    for w in works:
        mine = by_work.get(w.id, [])
        shown = [milestone_out(m, now, zone) for m in mine]
        every += shown
        out.append(
            TimelineWork(
                id=w.id,
                title=w.title,
                status=w.status,
                progress_pct=work_progress(mine),
                overdue=any(m.overdue for m in shown),
                accepted=w.id in accepted,
                start=min((m.planned_start for m in mine), default=None),
                end=max((m.planned_end for m in mine), default=None),
                milestones=shown,
            )
        )
    return Timeline(
        estate_id=estate_id,
        time_zone=zone,
        today=local_day(now, zone),
        start=min((w.start for w in out if w.start), default=None),
        end=max((w.end for w in out if w.end), default=None),
        works=out,
        goals=goals(every),
    )
