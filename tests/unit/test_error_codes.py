"""The one table of error codes: documented, and refused when a raise names an unknown code."""

from pathlib import Path

import pytest

from planner.errors import CODES, BadRequest, Conflict, NotFound, code_for_reason, codes_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def test_docs_print_the_code_table() -> None:
    assert DOCS.read_text(encoding="utf-8").endswith(codes_markdown()), (
        "docs/errors.md is stale: uv run python -m planner.errors, then paste the table"
    )


def test_an_unknown_code_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="no_such_code"):
        Conflict("x", "no_such_code")


def test_not_found_names_what_was_missing() -> None:
    assert NotFound("funding plan").code == "funding_plan_not_found"
    assert NotFound("gizmo").code == "not_found"


def test_bad_request_entry_carries_field_code_reason_params() -> None:
    error = BadRequest(
        "title",
        "Expected `str` of length <= 200",
        *code_for_reason("Expected `str` of length <= 200"),
    )
    assert error.errors == [
        {
            "field": "title",
            "code": "too_long",
            "reason": "Expected `str` of length <= 200",
            "params": {"max": "200"},
        }
    ]


@pytest.mark.parametrize(
    ("reason", "code", "params"),
    [
        ("Object contains unknown field `x`", "unknown_field", {}),
        ("Object missing required field `title`", "required", {}),
        ("Expected `int` >= 0", "too_small", {"min": "0"}),
        ("Expected `int`, got `str`", "wrong_type", {"expected": "int", "got": "str"}),
        ("Expected `array` of length <= 50", "too_many", {"max": "50"}),
        ("Expected `str` matching regex '\\S'", "blank", {}),
        ("Invalid enum value 'maybe'", "not_allowed", {}),
        ("something else", "invalid", {"reason": "something else"}),
    ],
)
def test_msgspec_sentences_map_to_codes(reason: str, code: str, params: dict) -> None:
    assert code_for_reason(reason) == (code, params)


def test_every_code_has_a_meaning() -> None:
    assert all(meaning.strip() for meaning in CODES.values())
