"""Signed sheet codes: a round trip, and any single-character change is refused (issue 17)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from planner.consultation.codes import (
    ALPHABET,
    MAC_SYMBOLS,
    SheetRef,
    canonical,
    normalize,
    read_code,
    sheet_code,
    verify_code,
)

SECRET = b"k" * 32
ids = st.integers(min_value=1, max_value=2**63 - 1)
small = st.integers(min_value=1, max_value=10**6)
secrets_ = st.binary(min_size=32, max_size=32)


def test_a_typical_code_is_four_groups_of_four() -> None:
    code = sheet_code(SECRET, 123, 1999)
    assert len(code) == 19 and code.count("-") == 3
    assert all(len(g) == 4 for g in code.split("-"))
    assert verify_code(SECRET, code) == SheetRef(123, 1999)


@given(secrets_, ids, ids)
def test_round_trip(secret: bytes, consultation_id: int, sheet_no: int) -> None:
    code = sheet_code(secret, consultation_id, sheet_no)
    assert set(code) <= set(ALPHABET) | {"-"}
    assert verify_code(secret, code) == SheetRef(consultation_id, sheet_no)
    assert read_code(code) == SheetRef(consultation_id, sheet_no)
    assert canonical(code) == code


@given(small, small, st.sampled_from(["lower", "spaces", "nodash"]))
def test_typing_is_case_space_and_dash_insensitive(
    consultation_id: int, sheet_no: int, how: str
) -> None:
    code = sheet_code(SECRET, consultation_id, sheet_no)
    typed = {
        "lower": code.lower(),
        "spaces": " ".join(code.replace("-", "")) + " ",
        "nodash": code.replace("-", ""),
    }[how]
    assert verify_code(SECRET, typed) == SheetRef(consultation_id, sheet_no)
    assert canonical(typed) == code


@given(secrets_, small, small, st.data())
def test_any_single_character_change_is_refused(
    secret: bytes, consultation_id: int, sheet_no: int, data: st.DataObject
) -> None:
    symbols = normalize(sheet_code(secret, consultation_id, sheet_no))
    assert symbols is not None
    position = data.draw(st.integers(min_value=0, max_value=len(symbols) - 1))
    other = data.draw(st.sampled_from([c for c in ALPHABET if c != symbols[position]]))
    altered = symbols[:position] + other + symbols[position + 1 :]
    assert verify_code(secret, altered) is None


@given(secrets_, small, small, st.data())
def test_a_dropped_or_added_character_is_refused(
    secret: bytes, consultation_id: int, sheet_no: int, data: st.DataObject
) -> None:
    symbols = normalize(sheet_code(secret, consultation_id, sheet_no))
    assert symbols is not None
    position = data.draw(st.integers(min_value=0, max_value=len(symbols) - 1))
    assert verify_code(secret, symbols[:position] + symbols[position + 1 :]) is None
    extra = data.draw(st.sampled_from(ALPHABET))
    assert verify_code(secret, symbols[:position] + extra + symbols[position:]) is None


@given(small, small)
def test_another_estate_secret_refuses_it(consultation_id: int, sheet_no: int) -> None:
    code = sheet_code(SECRET, consultation_id, sheet_no)
    assert verify_code(b"x" * 32, code) is None


@given(st.text(max_size=80))
def test_arbitrary_text_never_verifies_or_crashes(text: str) -> None:
    assert verify_code(SECRET, text) is None


def test_confusable_and_foreign_characters_are_not_codes() -> None:
    code = sheet_code(SECRET, 7, 3)
    for bad in ("0", "O", "1", "I", "L", "_", "/", "中"):
        assert verify_code(SECRET, code[:-1] + bad) is None
    assert normalize("") is None and normalize("-- --") is None
    assert normalize("a" * 100) is None


def test_non_canonical_layout_is_refused() -> None:
    symbols = normalize(sheet_code(SECRET, 7, 3))
    assert symbols is not None
    # a leading zero digit ("2") on the consultation id, the length raised to match
    padded = ALPHABET[2] + ALPHABET[0] + symbols[1:]
    assert read_code(padded) is None and verify_code(SECRET, padded) is None
    assert len(symbols) == 1 + 1 + 1 + 1 + MAC_SYMBOLS
