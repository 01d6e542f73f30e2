"""The demo's works delivery chapter (issue 19): 金桂苑's public works delivered over the
story's months, played through the HTTP API.

- Milestones by month, quarter, half-year or day, relative to the story's today, with two
  responsible units: 湘江建设 项目部 (the builder's site office) and 金桂苑物业服务中心 (the
  property management office), each with a named person.
- Progress updates with notes (and a site photo on some); one milestone stays overdue (the
  cameras' positions, planned last month, at 60 %).
- Acceptance (验收) of the pipes and the roof: the committee opens it (the pipes with one
  defect, re-checked and fixed), the committee and two owner representatives sign, and the
  committee completes it (the works are done).

Signature::

    await play_delivery(
        committee, owners, works,
        today=date(2026, 12, 4),          # the story's today in the estate's zone
        at=lambda day: clock.at(clock.day((day, "10:00"))),
    ) -> DeliveryPlayed

``committee``: a committee member's caller; ``owners``: at least two owners' callers that hold
a unit in the roof's scope (they sign both acceptances as owner representatives); ``works``:
{key: work_id} for any of ``pipes``, ``roof``, ``parking``, ``cameras``, ``signage``. A work
that is only ``awarded`` is first moved to ``funded`` (the approved plan covers it); a work not
awarded yet is left out (named in ``DeliveryPlayed.skipped``). ``at(day)`` is called before
each step with the story day (days from today, negative in the past) so the loader's story clock
dates the events; the loader owns the clock, this function only calls back. It returns when
every step is done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from planner.demo.client import Caller
from planner.demo.sheet_photo import encode_png
from planner.localtime import DEFAULT_TIME_ZONE, zone

BUILDER_SITE: Final = "湘江建设 项目部"
PROPERTY_OFFICE: Final = "金桂苑物业服务中心"
DELIVERY_STATUSES: Final = ("awarded", "funded", "in_progress", "done")


@dataclass(frozen=True)
class Step:
    """A progress update on story day ``day``: the percent and the note (and a photo)."""

    day: int
    percent: int
    note: str
    photo: bool = False


@dataclass(frozen=True)
class Plan:
    """A milestone: its period as (kind, offset from today's month/quarter/half, or days)."""

    title: str
    kind: str  # month | quarter | half | day
    offset: int
    unit: str
    person: str
    weight: int | None = None
    steps: tuple[Step, ...] = ()


MILESTONES: Final[dict[str, tuple[Plan, ...]]] = {
    "pipes": (
        Plan(
            "材料进场及放线",
            "month",
            -3,
            BUILDER_SITE,
            "项目经理 刘洋",
            20,
            (Step(-84, 100, "镀锌钢管、PPR管材进场，监理见证取样合格", photo=True),),
        ),
        Plan(
            "给水立管更换",
            "month",
            -2,
            BUILDER_SITE,
            "施工员 黄志明",
            40,
            (
                Step(-62, 50, "1至4栋立管更换完成，夜间停水已提前公告"),
                Step(-45, 100, "全部立管更换完毕，打压试验合格", photo=True),
            ),
        ),
        Plan(
            "室外排水雨污分流",
            "month",
            -1,
            BUILDER_SITE,
            "施工员 黄志明",
            40,
            (
                Step(-38, 60, "雨水管已接入市政管网"),
                Step(-22, 100, "雨污分流完成，化粪池已清掏"),
            ),
        ),
    ),
    "roof": (
        Plan(
            "旧卷材铲除及基层处理",
            "month",
            -2,
            BUILDER_SITE,
            "项目经理 刘洋",
            30,
            (Step(-50, 100, "四栋楼旧卷材铲除完毕，基层找平"),),
        ),
        Plan(
            "SBS改性沥青卷材两道",
            "month",
            -1,
            BUILDER_SITE,
            "施工员 黄志明",
            50,
            (
                Step(-40, 40, "1栋、2栋第一道卷材完成"),
                Step(-26, 100, "四栋楼两道卷材完成", photo=True),
            ),
        ),
        Plan(
            "闭水试验",
            "day",
            -18,
            PROPERTY_OFFICE,
            "工程主管 陈师傅",
            20,
            (Step(-18, 100, "闭水48小时，顶层住户室内无渗漏"),),
        ),
    ),
    "parking": (
        Plan(
            "车库防水堵漏",
            "quarter",
            0,
            BUILDER_SITE,
            "施工员 黄志明",
            None,
            (Step(-10, 40, "B区堵漏完成，A区开始注浆"),),
        ),
        Plan("LED照明更换", "month", 1, PROPERTY_OFFICE, "物业经理 赵敏"),
    ),
    "cameras": (
        # the overdue one: planned last month, still at 60 %
        Plan(
            "摄像头点位确认",
            "month",
            -1,
            PROPERTY_OFFICE,
            "物业经理 赵敏",
            None,
            (Step(-30, 60, "出入口和车库点位已与业主代表确认，楼道点位待定"),),
        ),
        Plan("安装调试并接入监控室", "half", 0, PROPERTY_OFFICE, "物业经理 赵敏"),
    ),
    "signage": (
        Plan(
            "标牌设计定稿",
            "month",
            0,
            PROPERTY_OFFICE,
            "物业经理 赵敏",
            None,
            (Step(-5, 100, "设计稿在公示栏公示三天，无异议"),),
        ),
        Plan("标牌制作安装", "quarter", 1, PROPERTY_OFFICE, "物业经理 赵敏"),
    ),
}

#: acceptance: story days (opened, defect re-checked, signed, completed) and the defects
ACCEPTANCES: Final[dict[str, tuple[int, int, int, tuple[str, ...]]]] = {
    "pipes": (-16, -11, -10, ("3栋地下室排水管接口渗水",)),
    "roof": (-12, -12, -8, ()),
}
RECHECK_NOTE: Final = "接口已重新做密封，复查无渗水"


@dataclass
class DeliveryPlayed:
    """What the chapter made: milestone ids per work, accepted works, works left out."""

    milestones: dict[str, list[int]] = field(default_factory=dict)
    accepted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _shift_months(today: date, months: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 + months
    return index // 12, index % 12 + 1


def planned_text(today: date, kind: str, offset: int) -> str:
    """The period ``offset`` months/quarters/half-years (or days) from today's."""
    if kind == "month":
        year, month = _shift_months(today, offset)
        return f"{year}-{month:02d}"
    if kind == "quarter":
        year, month = _shift_months(today, 3 * offset)
        return f"{year}-Q{(month - 1) // 3 + 1}"
    if kind == "half":
        year, month = _shift_months(today, 6 * offset)
        return f"{year}-H{(month - 1) // 6 + 1}"
    return date.fromordinal(today.toordinal() + offset).isoformat()


def site_photo(seed: int) -> bytes:
    """A small grey stand-in for a site photo (its own bytes per seed)."""
    rows = [bytearray((x * 3 + y * 5 + seed * 17) % 256 for x in range(48)) for y in range(32)]
    return encode_png(rows)


async def play_delivery(
    committee: Caller,
    owners: Sequence[Caller],
    works: Mapping[str, int],
    *,
    today: date | None = None,
    at: Callable[[int], object] | None = None,
) -> DeliveryPlayed:
    """Play the chapter (see the module's docstring); the story days only move forward."""
    if len(owners) < 2:
        raise ValueError("the acceptance needs two owner representatives")
    today = today or datetime.now(zone(DEFAULT_TIME_ZONE)).date()
    advance = at or (lambda _day: None)
    played = DeliveryPlayed()
    delivering: dict[str, dict[str, object]] = {}
    for key in MILESTONES:
        if key not in works:
            continue
        work = await committee.get(f"/api/works/{works[key]}")
        if work["status"] in DELIVERY_STATUSES:
            delivering[key] = work
        else:
            played.skipped.append(key)
    first_day = min(
        (s.day for key in delivering for p in MILESTONES[key] for s in p.steps), default=0
    )
    advance(first_day - 7)
    steps: list[tuple[int, int, Step]] = []  # (day, milestone id, step)
    for key, work in delivering.items():
        work_id = works[key]
        if work["status"] == "awarded":
            await committee.post(f"/api/works/{work_id}/status", {"status": "funded"})
        ids: list[int] = []
        for plan in MILESTONES[key]:
            created = await committee.post(
                f"/api/works/{work_id}/milestones",
                {
                    "title": plan.title,
                    "planned": planned_text(today, plan.kind, plan.offset),
                    "responsible_unit": plan.unit,
                    "responsible_person": plan.person,
                    "weight_pct": plan.weight,
                },
            )
            ids.append(created["id"])
            steps += [(step.day, created["id"], step) for step in plan.steps]
        played.milestones[key] = ids
    estate_id = next(iter(delivering.values()))["estate_id"] if delivering else None
    actions: list[tuple[int, int, Callable[[], Awaitable[None]]]] = []
    for n, (day, milestone_id, step) in enumerate(steps):
        actions.append((day, n, _progress(committee, estate_id, milestone_id, step, n + 1)))
    for key, (opened, rechecked, signed, defects) in ACCEPTANCES.items():
        if key in played.milestones:
            acceptance = _Acceptance(committee, owners[:2], works[key], defects)
            actions += [
                (opened, 1000, acceptance.open),
                (rechecked, 1001, acceptance.recheck),
                (signed, 1002, acceptance.sign_and_complete),
            ]
            played.accepted.append(key)
    for day, _, action in sorted(actions, key=lambda a: (a[0], a[1])):
        advance(day)
        await action()
    return played


def _progress(
    committee: Caller, estate_id: object, milestone_id: int, step: Step, seed: int
) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        photos: list[str] = []
        if step.photo:
            stored = await committee.post(
                f"/api/estates/{estate_id}/photos",
                content=site_photo(seed),
                headers={"content-type": "image/png"},
            )
            photos.append(stored["sha256"])
        await committee.post(
            f"/api/milestones/{milestone_id}/progress",
            {"percent": step.percent, "note": step.note, "photo_sha256s": photos},
        )

    return run


class _Acceptance:
    """One work's acceptance, played in three steps on their story days."""

    def __init__(
        self, committee: Caller, owners: Sequence[Caller], work_id: int, defects: Sequence[str]
    ) -> None:
        self.committee, self.owners, self.work_id, self.defects = (
            committee,
            owners,
            work_id,
            defects,
        )
        self.opened: dict[str, object] = {}

    async def open(self) -> None:
        self.opened = await self.committee.post(
            f"/api/works/{self.work_id}/acceptance",
            {"defects": [{"description": d} for d in self.defects]},
        )

    async def recheck(self) -> None:
        defects = self.opened.get("defects")
        for defect in defects if isinstance(defects, list) else []:
            await self.committee.post(
                f"/api/defects/{defect['id']}/recheck", {"fixed": True, "note": RECHECK_NOTE}
            )

    async def sign_and_complete(self) -> None:
        acceptance_id = self.opened["id"]
        for signer in (self.committee, *self.owners):
            await signer.post(f"/api/acceptances/{acceptance_id}/sign")
        await self.committee.post(f"/api/acceptances/{acceptance_id}/complete")
