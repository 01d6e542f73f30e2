"""Request and answer bodies of questionnaire rounds (问卷) and their answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from planner.model import NAME, Body, Id, Out, ShortText
from planner.needs.categories import NeedCategory
from planner.needs.suggestion_model import SheetNo

QuestionKind = Literal["single", "multi", "text"]
QuestionnaireStatus = Literal["draft", "open", "closed"]
AnswerChannel = Literal["online", "paper", "import"]
OptionText = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\S", extra=NAME)]
QuestionText = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"\S")]
#: one question's answer: chosen option indexes (0-based; single: one), a text, or null
AnswerValue = (
    Annotated[list[Annotated[int, msgspec.Meta(ge=0, le=99)]], msgspec.Meta(max_length=20)]
    | Annotated[str, msgspec.Meta(max_length=2000)]
    | None
)
MAX_QUESTIONS = 20


class Question(Body):
    """``single``/``multi``: 2-20 ``options``; ``text``: none. ``suggestion``: a text
    question whose answers become suggestions (at most one per questionnaire)."""

    text: QuestionText
    kind: QuestionKind
    options: Annotated[list[OptionText], msgspec.Meta(max_length=20)] = []
    suggestion: bool = False


class NewQuestionnaire(Body):
    title: ShortText
    questions: Annotated[list[Question], msgspec.Meta(min_length=1, max_length=MAX_QUESTIONS)]


class NewAnswer(Body):
    """One answer per question, in order. Owners answer online for one of their units
    (``household_id``, default their first); the committee enters a paper sheet with its
    ``sheet_no`` (and optionally ``household_id`` or ``building_id``). ``category``: the
    category of the suggestion the suggestion question's text becomes (default other)."""

    answers: Annotated[list[AnswerValue], msgspec.Meta(max_length=MAX_QUESTIONS)]
    household_id: Id | None = None
    building_id: Id | None = None
    sheet_no: SheetNo | None = None
    category: NeedCategory | None = None


class AnswerOut(Out):
    id: int
    questionnaire_id: int
    channel: AnswerChannel
    sheet_no: str | None
    household_id: int | None
    building_id: int | None
    answers: list[AnswerValue]
    suggestion_id: int | None
    answered_at: datetime


class QuestionnaireOut(Out):
    id: int
    estate_id: int
    title: str
    questions: list[Question]
    status: QuestionnaireStatus
    created_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    answers_count: int = 0
    #: the caller's own online answer (owners)
    mine: AnswerOut | None = None


class OptionCount(Out):
    option: str
    count: int


class QuestionResult(Out):
    index: int
    text: str
    kind: QuestionKind
    #: answers that answered this question
    answered: int
    options: list[OptionCount]


class QuestionnaireResults(Out):
    questionnaire_id: int
    answers_total: int
    by_channel: dict[str, int]
    suggestions: int
    questions: list[QuestionResult]


class ImportResult(Out):
    questionnaire_id: int
    imported: int
    suggestions: int
    #: the suggestions made, in file order
    suggestion_ids: list[int]
