"""The demo's small wishes (微心愿) chapter (issue 18): the partner units stationed near the
estate, 136 residents' wishes posted, 117 of them fulfilled (most confirmed), and optionally one
partner pledge to a public work, all through the HTTP API as the people who would do it.

The one entry point::

    partners = await play_wishes(
        http, admin, estate_id, committee=chair,
        residents={household_id: owner_caller, ...},  # optional
        pledge_work_id=lift_work_id,                   # optional
    )

* ``http``: the in-process client of the service (as ``planner.demo.loader`` uses);
* ``admin``: a :class:`Caller` with the admin's token (adds the partner members);
* ``estate_id``: the estate (its households must be imported);
* ``committee``: a committee member's :class:`Caller`, who posts wishes on behalf of
  residents that have no sign-in (the grid worker's paper list) and confirms their receipt;
* ``residents`` (optional): household id → the :class:`Caller` of an owner holding it; the
  wishes of those units are posted and confirmed by that owner;
* ``pledge_work_id`` (optional): a work of the estate (not a candidate, rejected or done):
  the first bank pledges ``pledge_fen`` to it, which becomes a funding source for it (call
  this after the funding plan the story approves, or the next solve will use it);
* ``seed``: the fixed seed (the same story every time).

Returns the partner units' callers by display name (each ``.token`` signs in), plus
``"partner"``: the one for the README's tour (:data:`TOUR_PARTNER`).

Figures (fixed): 13 partner units (6 banks, 3 schools, 3 hospitals, 1 law firm); 136
wishes, 117 of them fulfilled (104 confirmed by the resident or the committee, 13 awaiting
confirmation), 9 claimed, 8 open, 2 cancelled.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import httpx

from planner.demo.client import Caller, items


@dataclass(frozen=True)
class Partner:
    name: str
    kind: str  # bank | school | hospital | law_firm


PARTNERS: Final[tuple[Partner, ...]] = (
    # the four that also give to the works (the story's donor sources) come first
    Partner("工商银行荷塘支行", "bank"),
    Partner("荷塘区第一小学", "school"),
    Partner("市第三人民医院", "hospital"),
    Partner("湘楚律师事务所", "law_firm"),
    Partner("建设银行株洲荷塘支行", "bank"),
    Partner("农业银行株洲新华路支行", "bank"),
    Partner("中国银行株洲红旗路支行", "bank"),
    Partner("株洲银行荷塘支行", "bank"),
    Partner("邮储银行株洲荷塘区支行", "bank"),
    Partner("株洲市第二中学", "school"),
    Partner("湖南工业大学", "school"),
    Partner("荷塘区月塘街道社区卫生服务中心", "hospital"),
    Partner("株洲市中心医院", "hospital"),
)
TOUR_PARTNER: Final = PARTNERS[0].name

#: what residents wish for, by category (the needs slice's keys)
WISHES: Final[dict[str, tuple[str, ...]]] = {
    "health": (
        "家中老人行动不便，想借用一台轮椅",
        "独居老人希望有医生上门做一次体检",
        "母亲腿脚不好，需要一副助行器",
        "想请医生讲讲高血压怎么用药",
        "家里需要一台电子血压计",
        "糖尿病老人希望每月有人上门测血糖",
        "希望社区办一次免费眼科筛查",
    ),
    "facilities": (
        "楼道台阶太陡，希望加装一段扶手",
        "卫生间想装防滑扶手，方便老人起身",
        "单元门口的坡道破损，轮椅推不上去",
        "老人家里想装一个夜间感应灯",
    ),
    "education": (
        "孩子初二数学跟不上，希望有老师辅导",
        "希望有大学生志愿者辅导孩子英语",
        "孩子想学书法，希望有老师带一带",
        "希望借到一批小学课外读物",
        "孩子准备中考，想请老师讲讲志愿填报",
    ),
    "policy": (
        "想咨询遗嘱公证怎么办理",
        "老人赡养问题想请律师给点意见",
        "房屋继承过户需要法律咨询",
        "被拖欠工资，想了解怎么维权",
        "想了解居住证和医保转移的手续",
    ),
    "livelihood": (
        "想学用智能手机挂号和视频通话",
        "希望有人帮忙办理养老金资格认证",
        "想学习怎么防范电信诈骗",
        "希望帮忙开通手机银行和医保电子凭证",
        "家里洗衣机坏了，希望能修一修",
    ),
    "safety": (
        "家里电线老化，希望有人帮忙检查",
        "想在厨房装一个燃气报警器",
    ),
}
#: which kind of partner unit takes a wish of each category
TAKERS: Final[dict[str, tuple[str, ...]]] = {
    "health": ("hospital",),
    "facilities": ("bank",),
    "education": ("school",),
    "policy": ("law_firm",),
    "livelihood": ("bank",),
    "safety": ("bank", "hospital"),
}
NOTES: Final[dict[str, str]] = {
    "hospital": "医护志愿者已上门，物品和服务已送达",
    "bank": "网点志愿者已上门办理完毕",
    "school": "老师已与家长约定时间，已开始辅导",
    "law_firm": "律师已上门解答，并留下联系方式",
}
#: the end state of the 136 wishes (117 fulfilled), in posting order after a shuffle
#: (fixed seed)
OUTCOMES: Final[dict[str, int]] = {
    "confirmed": 104,
    "fulfilled": 13,
    "claimed": 9,
    "open": 8,
    "cancelled": 2,
}
WISH_COUNT: Final = sum(OUTCOMES.values())  # 136 posted
#: the pilot's figure: wishes the partner units fulfilled (confirmed or awaiting confirmation)
FULFILLED_COUNT: Final = OUTCOMES["confirmed"] + OUTCOMES["fulfilled"]  # 117


async def play_wishes(
    http: httpx.AsyncClient,
    admin: Caller,
    estate_id: int,
    *,
    committee: Caller,
    residents: Mapping[int, Caller] | None = None,
    pledge_work_id: int | None = None,
    pledge_fen: int = 5_000_000,
    seed: int = 18,
) -> dict[str, Caller]:
    """Play the chapter (see the module's docstring); returns the partners' callers."""
    rng = random.Random(seed)  # noqa: S311 (a fixed seed: reproducible, not secret)
    residents = residents or {}
    partners: dict[str, Caller] = {}
    by_kind: dict[str, list[Caller]] = {}
    for partner in PARTNERS:
        created = await admin.post(
            f"/api/estates/{estate_id}/members",
            {"role": "partner", "display_name": partner.name, "partner_kind": partner.kind},
        )
        caller = Caller(http, created["token"], created["member_id"])
        partners[partner.name] = caller
        by_kind.setdefault(partner.kind, []).append(caller)
    households = sorted(
        h["id"] for h in items(await admin.get(f"/api/estates/{estate_id}/households"))
    )
    outcomes = [status for status, n in OUTCOMES.items() for _ in range(n)]
    rng.shuffle(outcomes)
    categories = sorted(WISHES)
    for outcome in outcomes:
        category = rng.choice(categories)
        text = rng.choice(WISHES[category])
        household_id = rng.choice(households)
        resident = residents.get(household_id)
        poster = resident or committee
        body: dict[str, object] = {"text": text, "category": category}
        if resident is None:
            body["household_id"] = household_id
        wish = await poster.post(f"/api/estates/{estate_id}/wishes", body)
        wish_id = wish["id"]
        if outcome == "open":
            continue
        if outcome == "cancelled":
            await poster.post(f"/api/wishes/{wish_id}/cancel")
            continue
        kind = rng.choice(TAKERS[category])
        taker = rng.choice(by_kind[kind])
        await taker.post(f"/api/wishes/{wish_id}/claim")
        if outcome == "claimed":
            continue
        await taker.post(f"/api/wishes/{wish_id}/fulfil", {"note": NOTES[kind]})
        if outcome == "confirmed":
            await poster.post(f"/api/wishes/{wish_id}/confirm")
    if pledge_work_id is not None:
        await partners[TOUR_PARTNER].post(
            f"/api/works/{pledge_work_id}/pledges",
            {"amount_fen": pledge_fen, "note": "支持小区改造，共建美好家园"},
        )
    return {**partners, "partner": partners[TOUR_PARTNER]}
