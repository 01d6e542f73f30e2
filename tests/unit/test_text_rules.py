"""The characters names and free text may hold (planner.model; issue 15, item 9)."""

from __future__ import annotations

import json
import re
import unicodedata

import msgspec
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from planner.deliberation.model import NewMeeting
from planner.estates.csv_rules import CsvProblem, parse_households
from planner.estates.model import NewEstate
from planner.model import nfc, text_fault
from planner.negotiation.model import ReferencePrices
from planner.works.model import NewWork

BIDI = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]}


def _refused_in_a_name(c: str) -> bool:
    return unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in BIDI


def _visible(c: str) -> bool:
    return not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc", "Mn", "Me", "Zs")


@pytest.mark.parametrize(
    ("name", "code", "params"),
    [
        ("\u202eevil\u202cgpj.exe", "bidi_control", {"char": "U+202E"}),
        ("a\u2067b\u2069", "bidi_control", {"char": "U+2067"}),
        ("a\u200fb", "bidi_control", {"char": "U+200F"}),
        ("a\u061cb", "bidi_control", {"char": "U+061C"}),
        ("a\x07\x1bb", "control_character", {"char": "U+0007"}),
        ("a\tb", "control_character", {"char": "U+0009"}),
        ("a\nb", "control_character", {"char": "U+000A"}),
        ("a\x85b", "control_character", {"char": "U+0085"}),
        ("a\u2028b", "control_character", {"char": "U+2028"}),
        ("\u200b\u200b\u200b", "invisible_only", {}),
        ("\u200c\u200d\u2060\ufeff", "invisible_only", {}),
        ("\u0301\u0308", "invisible_only", {}),
        ("\u3164\u115f", "invisible_only", {}),
        ("1栋\u200b", "invisible_character", {"char": "U+200B"}),
        ("A\u2060B", "invisible_character", {"char": "U+2060"}),
        ("\ufeff张三", "invisible_character", {"char": "U+FEFF"}),
        ("Ca\u00adfé", "invisible_character", {"char": "U+00AD"}),
    ],
)
def test_refused_names_have_their_code(name: str, code: str, params: dict[str, str]) -> None:
    fault = text_fault(name, name=True)
    assert fault is not None
    assert (fault.code, fault.params) == (code, params)
    with pytest.raises(msgspec.ValidationError, match=re.escape(fault.reason)):
        msgspec.json.decode(json.dumps({"name": name}).encode(), type=NewEstate)


@pytest.mark.parametrize(
    "name", ["张三", "O'Brien", "👨\u200d👩\u200d👧 家", "می\u200cخواهم", "Café"]
)
def test_ordinary_names_pass(name: str) -> None:
    assert text_fault(name, name=True) is None


def test_only_whitespace_stays_blank() -> None:
    assert text_fault("\u3000 \u00a0", name=True) is None
    assert text_fault("\u3000\u200b", name=True).code == "invisible_only"  # type: ignore[union-attr]
    with pytest.raises(msgspec.ValidationError, match="regex"):  # the older 'blank' rule first
        msgspec.json.decode(json.dumps({"name": "\u3000 \u00a0"}).encode(), type=NewEstate)


def test_free_text_keeps_newlines_and_tabs_only() -> None:
    assert text_fault("一\n二\t三", name=False) is None
    assert text_fault("\u200b", name=False) is None  # free text may be empty-looking
    assert text_fault("a\rb", name=False).code == "control_character"  # type: ignore[union-attr]
    assert text_fault("a\u202eb", name=False).code == "bidi_control"  # type: ignore[union-attr]


def test_the_failing_field_is_named_in_nested_bodies() -> None:
    body = {"lines": [{"description": "电缆", "unit_price_fen": 1, "line_key": "\u202e"}]}
    with pytest.raises(msgspec.ValidationError, match=r"field `line_key`.*at `\$\.lines\[0\]`"):
        msgspec.json.decode(json.dumps(body).encode(), type=ReferencePrices)
    meeting = {"title": "会", "kind": "building_meeting", "agenda": ["一", "二\x00"]}
    with pytest.raises(msgspec.ValidationError, match=r"field `agenda\[1\]`"):
        msgspec.json.decode(json.dumps(meeting).encode(), type=NewMeeting)


def test_bodies_are_stored_in_nfc() -> None:
    work = msgspec.json.decode(
        json.dumps(
            {"title": "Cafe\u0301", "category": "roof", "description": "e\u0301\n"}
        ).encode(),
        type=NewWork,
    )
    assert (work.title, work.description) == ("Café", "é\n")


def test_csv_cells_follow_the_name_rules() -> None:
    header = "building,unit,floor,area_m2,owner_key,owner_name\n"
    with pytest.raises(CsvProblem) as caught:
        parse_households(header + "1,101,1,50,A,a\n1,102,1,50,B,\u202eevil\n")
    assert (caught.value.line, caught.value.column, caught.value.code) == (
        3,
        "owner_name",
        "bidi_control",
    )
    (row,) = parse_households(header + "楼\u0301,101,1,50,A,Jose\u0301\n")
    assert (row.building, row.owner_name) == (nfc("楼\u0301"), "José")


@given(st.text(max_size=40))
@example("\u202eevil\u202cgpj.exe")
@example("\u200b\u200b\u200b")
@example("e\u0301")
def test_accepted_names_are_nfc_with_nothing_refused(name: str) -> None:
    try:
        estate = msgspec.json.decode(json.dumps({"name": name}).encode(), type=NewEstate)
    except msgspec.ValidationError:
        return
    stored = estate.name
    assert unicodedata.is_normalized("NFC", stored)
    assert stored == unicodedata.normalize("NFC", name)
    assert not any(_refused_in_a_name(c) for c in stored)
    assert any(_visible(c) for c in stored)
