"""What an export needs: the plan result plus the labels people read (names, units, titles).

Pure: no database, no web framework. Money stays ``int`` fen; the writers turn it into
yuan text with :func:`planner.money.yuan_str` and never through a float for text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote

import msgspec

from planner.funding.engine import FundingPlanResult, HouseholdPlan
from planner.funding.model import PlanRecord
from planner.localtime import DEFAULT_TIME_ZONE, local_date, local_datetime
from planner.payments.model import PaymentInstructions

Lang = Literal["zh", "en"]
View = Literal["households", "works", "sources"]
# each view's name in a file name: (Chinese, English)
VIEW_NAMES: dict[str, tuple[str, str]] = {
    "households": ("住户", "households"),
    "works": ("工程", "works"),
    "sources": ("资金来源", "sources"),
}

# A cell that starts with one of these may be run as a formula by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


Content = TypeVar("Content")


@dataclass(frozen=True)
class ExportFile(Generic[Content]):
    """A rendered export with its file names (UTF-8 and an ASCII fallback).

    ``is_draft``: the plan is not in force (a draft, or a superseded plan's void file), so
    the file must not be cached; ``size`` is known for a spooled file.
    """

    content: Content
    utf8_name: str
    ascii_name: str
    is_draft: bool
    size: int | None = None


class HouseholdLabel(msgspec.Struct, frozen=True, kw_only=True):
    """A unit as people know it; ``area_m2`` and ``cap_fen`` as the plan was solved with."""

    household_id: int
    building_id: int | None
    building: str
    unit: str
    floor: int
    owner_name: str
    area_m2: Decimal
    cap_fen: int | None


class WorkLabel(msgspec.Struct, frozen=True, kw_only=True):
    work_id: int
    title: str
    resident_band: tuple[Decimal, Decimal] | None = None


class SourceLabel(msgspec.Struct, frozen=True, kw_only=True):
    source_id: int
    name: str
    kind: str


class ExportPlan(msgspec.Struct, frozen=True, kw_only=True):
    """One solved plan version with everything the exports print.

    ``stamp`` is the moment the file claims to be from: the approval time of an approved
    plan (so its files are the same byte for byte), the creation time of a draft. A
    superseded plan's files are marked void (已作废 VOID) and name the version in force.
    """

    plan_id: int
    estate_id: int
    estate_name: str
    version: int
    status: str
    policy: str
    resident_band: tuple[Decimal, Decimal]
    created_at: datetime
    approved_at: datetime | None
    result: FundingPlanResult
    households: dict[int, HouseholdLabel]
    works: dict[int, WorkLabel]
    sources: dict[int, SourceLabel]
    payments: dict[int, int] = msgspec.field(default_factory=dict)
    """Fen paid so far per household id (approved plans only; absent: nothing paid)."""
    superseded_by_version: int | None = None
    superseded_at: datetime | None = None
    time_zone: str = DEFAULT_TIME_ZONE
    """The estate's IANA zone: dates and times people read are its wall clock."""

    def local_date(self, moment: datetime | None) -> str:
        """``2026-05-16``: the calendar day of ``moment`` in the estate's zone."""
        return local_date(moment, self.time_zone)

    def local_datetime(self, moment: datetime | None) -> str:
        """``2026-05-16 19:30 (Asia/Shanghai)``: the estate's wall clock, its zone named."""
        if moment is None:
            return ""
        return f"{local_datetime(moment, self.time_zone)} ({self.time_zone})"

    instructions: PaymentInstructions | None = None
    """When, to whom and how to pay (the notices print them; None: not set)."""

    @property
    def is_draft(self) -> bool:
        """Not in force: no payment demand (a draft, or a superseded plan: void)."""
        return self.status != "approved"

    @property
    def is_void(self) -> bool:
        """Superseded by a later approval: its files and notices are void (已作废)."""
        return self.status == "superseded"

    @property
    def mark(self) -> str:
        """The watermark of a plan not in force ("" for the plan in force)."""
        if self.is_void:
            return VOID_MARK
        return DRAFT_MARK if self.is_draft else ""

    def mark_line(self, lang: Lang) -> str:
        """Why this file is no payment demand, in ``lang`` ("" for the plan in force)."""
        if self.is_void:
            return VOID_LINE[lang].format(version=self.superseded_by_version or "?")
        return DRAFT_LINE[lang] if self.is_draft else ""

    @property
    def stamp(self) -> datetime:
        return self.approved_at if self.approved_at is not None else self.created_at

    def household_label(self, household: HouseholdPlan) -> HouseholdLabel:
        found = self.households.get(household.household_id)
        if found is not None:
            return found
        return HouseholdLabel(
            household_id=household.household_id,
            building_id=None,
            building="",
            unit=f"#{household.household_id}",
            floor=0,
            owner_name="",
            area_m2=Decimal("0.00"),
            cap_fen=None,
        )

    def work_title(self, work_id: int) -> str:
        label = self.works.get(work_id)
        return label.title if label and label.title else f"#{work_id}"

    def source_name(self, source_id: int) -> str:
        label = self.sources.get(source_id)
        return label.name if label and label.name else f"#{source_id}"

    def source_kind(self, source_id: int) -> str:
        label = self.sources.get(source_id)
        return label.kind if label else "other"


PAYMENT_TEXT = {
    "zh": {
        "exempt": "无需缴费",
        "unpaid": "未缴",
        "partial": "部分缴纳",
        "paid": "已缴清",
        "overpaid": "多缴",
    },
    "en": {
        "exempt": "nothing due",
        "unpaid": "unpaid",
        "partial": "partly paid",
        "paid": "paid",
        "overpaid": "overpaid",
    },
}


def neutralise(text: str) -> str:
    """User text made safe for a spreadsheet cell: a leading ``= + - @`` (or tab, CR, LF)
    gets an apostrophe in front, so Excel and WPS show it as text and never run it."""
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def is_risky(text: str) -> bool:
    return text.startswith(_FORMULA_START)


def share_pct(share: str) -> str:
    """``"0.2000"`` → ``"20.00%"`` exactly (the share is a decimal string)."""
    return f"{(Decimal(share) * 100).quantize(Decimal('0.01'))}%"


def band_text(band: tuple[Decimal, Decimal]) -> str:
    low, high = band
    return f"{share_pct(str(low))}–{share_pct(str(high))}"


def in_band(share: str, band: tuple[Decimal, Decimal]) -> bool:
    return band[0] <= Decimal(share) <= band[1]


STATUS_TEXT = {
    "zh": {"approved": "已批准", "draft": "草稿", "failed": "失败", "superseded": "已作废"},
    "en": {"approved": "approved", "draft": "draft", "failed": "failed", "superseded": "void"},
}

SOURCE_KIND_TEXT = {
    "zh": {
        "subsidy": "政府补贴",
        "maintenance_fund": "专项维修资金",
        "utility": "公用事业单位",
        "donor": "驻区单位捐助",
        "other": "其他",
    },
    "en": {
        "subsidy": "government subsidy",
        "maintenance_fund": "maintenance fund",
        "utility": "utility company",
        "donor": "donor unit",
        "other": "other",
    },
}

REASON_TEXT = {
    "zh": {
        "proportional": "按比例",
        "cap": "困难户封顶",
        "covers_caps": "分担封顶差额",
        "rounding": "舍入",
    },
    "en": {
        "proportional": "proportional",
        "cap": "hardship cap",
        "covers_caps": "covers capped households",
        "rounding": "rounding",
    },
}

DRAFT_MARK = "草稿 DRAFT"
DRAFT_LINE = {
    "zh": "草稿 DRAFT：本方案尚未批准，不得作为缴费依据",
    "en": "DRAFT 草稿: this plan is not approved and is not a payment demand",
}

VOID_MARK = "已作废 VOID"
VOID_LINE = {
    "zh": "已作废 VOID：本方案已被第{version}版取代，不得作为缴费依据",
    "en": "VOID 已作废: superseded by plan v{version}; this is not a payment demand",
}


def title_line(plan: ExportPlan, lang: Lang) -> str:
    """The first line of every export: estate, version, status (drafts and void plans say
    so loudly)."""
    if plan.is_draft:
        return f"{plan.estate_name} · " + (
            f"资金方案 第{plan.version}版 · {plan.mark_line('zh')}"
            if lang == "zh"
            else f"funding plan v{plan.version} · {plan.mark_line('en')}"
        )
    day = plan.local_date(plan.stamp)
    if lang == "zh":
        return f"{plan.estate_name} · 资金方案 第{plan.version}版 · 已批准 {day}"
    return f"{plan.estate_name} · funding plan v{plan.version} · approved {day}"


_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def content_disposition(utf8_name: str, ascii_name: str, inline: bool = False) -> str:
    """``attachment; filename="plan-3-v2.csv"; filename*=UTF-8''…`` (RFC 6266 / 5987)."""
    clean = _UNSAFE_FILENAME.sub("_", unicodedata.normalize("NFC", utf8_name)).strip() or ascii_name
    fallback = _UNSAFE_FILENAME.sub("_", ascii_name.encode("ascii", "replace").decode())
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(clean, safe='')}"


def file_names(plan: ExportPlan, what_zh: str, what_en: str, ext: str) -> tuple[str, str]:
    """(UTF-8 name, ASCII fallback) for one export of ``plan``."""
    draft = ("-已作废" if plan.is_void else "-草稿") if plan.is_draft else ""
    draft_en = ("-VOID" if plan.is_void else "-DRAFT") if plan.is_draft else ""
    utf8 = f"{plan.estate_name}-资金方案第{plan.version}版-{what_zh}{draft}.{ext}"
    ascii_name = f"plan-{plan.plan_id}-v{plan.version}-{what_en}{draft_en}.{ext}"
    return utf8, ascii_name


def _band(value: Any) -> tuple[Decimal, Decimal] | None:
    if not value or len(value) != 2:
        return None
    return Decimal(str(value[0])), Decimal(str(value[1]))


def export_plan(
    record: PlanRecord,
    estate: str,
    households: dict[int, HouseholdLabel],
    paid: dict[int, int] | None = None,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> ExportPlan:
    """The export view of a solved plan (``record.result`` must be set)."""
    assert record.result is not None
    inputs = record.inputs
    works = {
        int(w["work_id"]): WorkLabel(
            work_id=int(w["work_id"]),
            title=str(w.get("title") or ""),
            resident_band=_band(w.get("resident_band")),
        )
        for w in inputs.get("works", [])
    }
    sources = {
        int(s["source_id"]): SourceLabel(
            source_id=int(s["source_id"]),
            name=str(s.get("name") or ""),
            kind=str(s.get("kind") or "other"),
        )
        for s in inputs.get("sources", [])
    }
    band = _band(inputs.get("resident_band")) or (Decimal("0.20"), Decimal("0.30"))
    return ExportPlan(
        plan_id=record.id,
        estate_id=record.estate_id,
        estate_name=estate,
        version=record.version,
        status=record.status,
        policy=record.policy,
        resident_band=band,
        created_at=record.created_at,
        approved_at=record.approved_at,
        result=record.result,
        households=households,
        works=works,
        sources=sources,
        payments=paid or {},
        superseded_by_version=record.superseded_by_version,
        superseded_at=record.superseded_at,
        time_zone=time_zone,
    )
