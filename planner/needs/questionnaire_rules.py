"""Pure rules of questionnaire rounds: the questions' shape, an answer's check against them,
and counting the results per question and option."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from planner.errors import BadRequest
from planner.needs.questionnaire_model import OptionCount, Question, QuestionResult

Answers = list[list[int] | str | None]


def check_questions(questions: Sequence[Question]) -> None:
    """400 unless choice questions have 2-20 distinct options, text questions none, and at
    most one (text) question is marked ``suggestion``."""
    marked = 0
    for i, q in enumerate(questions):
        field = f"questions[{i}]"
        if q.kind == "text":
            if q.options:
                raise BadRequest(
                    f"{field}.options", "a text question has no options", "not_allowed"
                )
        else:
            if len(q.options) < 2:
                raise BadRequest(f"{field}.options", "at least 2 options", "too_few", {"min": 2})
            if len(set(q.options)) != len(q.options):
                raise BadRequest(
                    f"{field}.options", "an option appears twice", "duplicate_in_request"
                )
            if q.suggestion:
                raise BadRequest(
                    f"{field}.suggestion",
                    "only a text question becomes a suggestion",
                    "not_allowed",
                )
        marked += q.suggestion
    if marked > 1:
        raise BadRequest(
            "questions", "at most one question becomes a suggestion", "too_many", {"max": 1}
        )


def suggestion_index(questions: Sequence[Question]) -> int | None:
    """The index of the question whose text answers become suggestions."""
    return next((i for i, q in enumerate(questions) if q.suggestion), None)


def check_answers(questions: Sequence[Question], answers: Sequence[Any]) -> Answers:
    """The answer normalised (option indexes sorted and distinct, blank texts as null), one
    item per question; 400 naming ``answers[i]`` otherwise."""
    if len(answers) != len(questions):
        raise BadRequest(
            "answers",
            f"give one answer per question ({len(questions)})",
            "answers_count",
            {"expected": len(questions)},
        )
    out: Answers = []
    for i, (q, a) in enumerate(zip(questions, answers, strict=True)):
        field = f"answers[{i}]"
        if a is None:
            out.append(None)
        elif q.kind == "text":
            if not isinstance(a, str):
                raise BadRequest(
                    field,
                    "a text question takes a text",
                    "wrong_type",
                    {"expected": "text", "got": "options"},
                )
            out.append(a.strip() or None)
        else:
            if not isinstance(a, list):
                raise BadRequest(
                    field,
                    "a choice question takes option indexes",
                    "wrong_type",
                    {"expected": "options", "got": "text"},
                )
            chosen = sorted(set(a))
            beyond = [c for c in chosen if c >= len(q.options)]
            if beyond:
                raise BadRequest(
                    field, "no such option", "unknown_option", {"option": beyond[0] + 1}
                )
            if q.kind == "single" and len(chosen) > 1:
                raise BadRequest(field, "choose one option", "one_option_only")
            out.append(chosen or None)
    return out


def count_results(
    questions: Sequence[Question], answer_sets: Iterable[Sequence[Any]]
) -> list[QuestionResult]:
    """Per question: how many answered it and, for choice questions, each option's count."""
    answered = [0] * len(questions)
    counts = [[0] * len(q.options) for q in questions]
    for answers in answer_sets:
        for i, a in enumerate(answers[: len(questions)]):
            if a is None or a == [] or a == "":
                continue
            answered[i] += 1
            if isinstance(a, list):
                for c in a:
                    if 0 <= c < len(counts[i]):
                        counts[i][c] += 1
    return [
        QuestionResult(
            index=i,
            text=q.text,
            kind=q.kind,
            answered=answered[i],
            options=[
                OptionCount(option=o, count=n) for o, n in zip(q.options, counts[i], strict=True)
            ],
        )
        for i, q in enumerate(questions)
    ]
