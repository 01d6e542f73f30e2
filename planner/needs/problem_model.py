"""Common problems (共性问题) and the public board as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from planner.model import Body, Fen, Id, Out, ShortText
from planner.needs.categories import Difficulty, NeedCategory, ProblemStatus, Urgency
from planner.works.model import Category, Grade
from planner.works.rules import BenefitRuleName

IdList = Annotated[list[Id], msgspec.Meta(max_length=1000)]
Responsible = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Note = Annotated[str, msgspec.Meta(max_length=2000)]


class NewProblem(Body):
    """A common problem made from triaged suggestions (``suggestion_ids`` may be empty:
    suggestions can be merged in later). ``responsible``: who handles it (a name or a unit)."""

    title: ShortText
    category: NeedCategory
    urgency: Urgency
    difficulty: Difficulty
    suggestion_ids: IdList = msgspec.field(default_factory=list)
    responsible: Responsible | None = None


class ProblemMerge(Body):
    """Suggestions to add, duplicate problems (of the same estate) to merge into this one."""

    suggestion_ids: IdList = msgspec.field(default_factory=list)
    problem_ids: IdList = msgspec.field(default_factory=list)


class ProblemStatusChange(Body):
    """A move along the path; ``note`` is required for ``declined`` (the reason)."""

    status: ProblemStatus
    note: Note | None = None
    responsible: Responsible | None = None


class ProblemWork(Body):
    """The candidate work made from a problem: its estimate and, optionally, its details
    (title defaults to the problem's)."""

    estimate_fen: Fen
    title: ShortText | None = None
    #: the work's own category (default: the problem's), urgency and difficulty grades 1..5
    #: (default: from the problem's 急/一般 and 难/易)
    category: Category | None = None
    urgency: Grade | None = None
    difficulty: Grade | None = None
    benefit_rule: BenefitRuleName = "area"
    scope_building_ids: Annotated[list[Id], msgspec.Meta(max_length=500)] = msgspec.field(
        default_factory=list
    )
    description: Annotated[str, msgspec.Meta(max_length=5000)] = ""


class SourceOut(Out):
    """A source suggestion (staff only): ``problem_id`` is the problem it was merged into
    (this one or a duplicate merged into it)."""

    suggestion_id: int
    problem_id: int
    text: str
    category: str
    channel: str
    household_id: int | None
    building_id: int | None
    submitted_at: datetime


class ProblemOut(Out):
    """A common problem. ``supporters_owners``: distinct owners (by owner key) among the
    households of its source suggestions and its "me too" supporters, its merged duplicates'
    included; ``supporters_units``: distinct households. ``sources`` is listed for staff
    (admin, committee, treasurer, observer) and null for others; ``supported`` says whether
    the caller's units (or the caller's suggestions) support it (null for staff without units).
    """

    id: int
    estate_id: int
    title: str
    category: str
    urgency: str
    difficulty: str
    status: str
    status_note: str | None
    responsible: str | None
    merged_into: int | None
    merged_problem_ids: list[int]
    work_id: int | None
    supporters_owners: int
    supporters_units: int
    source_count: int
    allowed_moves: list[str]
    created_at: datetime
    updated_at: datetime
    solved_at: datetime | None
    supported: bool | None = None
    sources: list[SourceOut] | None = None


class ProblemWorkOut(Out):
    problem_id: int
    work_id: int
    status: str


class CategoryCount(Out):
    category: str
    suggestions: int
    problems: int


class StatusCount(Out):
    status: str
    problems: int


class BoardProblem(Out):
    id: int
    title: str
    category: str
    urgency: str
    status: str
    responsible: str | None
    supporters_owners: int
    supporters_units: int
    solved_at: datetime | None


class BoardOut(Out):
    """The estate's public board (公示栏): figures, counts by category and status, and the
    list of common problems (no source, no household)."""

    estate_id: int
    estate_name: str
    figures: dict[str, int]
    by_category: list[CategoryCount]
    by_status: list[StatusCount]
    problems: list[BoardProblem]
    generated_at: datetime


Lang = Literal["zh", "en"]
