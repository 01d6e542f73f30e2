"""Shared msgspec base types, and the characters user text may hold.

Every string a request body carries is checked when the body is decoded (``Body``'s
``__post_init__``) and stored in NFC. A *name* (``ShortText``: the names and titles of
estates, buildings, members, suppliers, works, motions, meetings, funding sources; the
household CSV's cells) is one line: no control character at all (tab and newline
included, nor U+2028/U+2029), no bidi control, and at least one visible character. Free
text (descriptions, notes, agenda items) keeps newlines and tabs but no other control
character and no bidi control. A refusal names its field and a code: ``control_character``,
``bidi_control``, ``invisible_only`` or, for a name holding a zero-width space, word joiner,
BOM or soft hyphen among visible text, ``invisible_character`` (``text_fault``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, NamedTuple

import msgspec
import msgspec.inspect as mi
import msgspec.structs

#: ``Meta(extra=NAME)`` marks a string field as a name (single line, something visible).
NAME: dict[str, Any] = {"text": "name"}

Id = Annotated[int, msgspec.Meta(ge=1, le=2**62)]
Fen = Annotated[int, msgspec.Meta(ge=0, le=10**15, description="integer fen (1/100 yuan)")]
# a name or title: 1-200 characters, not only blanks (the database refuses an empty name)
ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S", extra=NAME)]
LongText = Annotated[str, msgspec.Meta(max_length=10_000)]

# Bidi embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), the marks
# LRM, RLM and ALM: they reorder what a reader sees ("\u202eevil\u202cgpj.exe").
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_BIDI_CHARS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# C0, DEL and C1 (Unicode category Cc) but newline and tab, which free text keeps
_REFUSED_FREE_RE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
# every Cc, and the line and paragraph separators: a name is one line
_REFUSED_NAME_RE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
# characters that draw nothing and join nothing: zero-width space, word joiner, invisible
# operators, BOM, Mongolian vowel separator, soft hyphen. In a name they make "A" and
# "A\u200b" two buildings that look alike. (ZWJ and ZWNJ stay: emoji and some scripts.)
_HIDDEN_IN_NAME_RE = re.compile("[\u200b\u2060-\u2064\ufeff\u180e\u00ad]")
# a character surely visible (ASCII graphic, CJK, Hangul syllables): skips the slow check
_VISIBLE_RE = re.compile("[!-~\u3400-\u9fff\uac00-\ud7a3]")
# letters and symbols that draw nothing: the Hangul fillers, the braille blank
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# format characters (zero-width space and joiners, word joiner, BOM, soft hyphen, tags),
# combining marks, separators, controls: nothing a reader sees on its own
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Mn", "Me", "Zs", "Zl", "Zp"})


class TextFault(NamedTuple):
    """Why a string is refused: its error code, the English reason, the code's params."""

    code: str
    reason: str
    params: dict[str, Any]


def text_fault(value: str, name: bool) -> TextFault | None:
    """The first rule ``value`` breaks (``name``: single-line name rules), or None."""
    refused = (_REFUSED_NAME_RE if name else _REFUSED_FREE_RE).search(value)
    if refused is not None:
        char = f"U+{ord(refused.group()):04X}"
        if refused.group() in _BIDI_CHARS:
            reason = f"contains a bidi control character ({char})"
            return TextFault("bidi_control", reason, {"char": char})
        reason = f"contains a control character ({char})"
        return TextFault("control_character", reason, {"char": char})
    # (blank text is left to the rules that already refuse it: ``blank``, "must not be blank")
    if name and value.strip() and _invisible_only(value):
        return TextFault("invisible_only", "has no visible character", {})
    hidden = _HIDDEN_IN_NAME_RE.search(value) if name else None
    if hidden is not None:
        char = f"U+{ord(hidden.group()):04X}"
        reason = f"contains an invisible character ({char})"
        return TextFault("invisible_character", reason, {"char": char})
    return None


def _invisible_only(value: str) -> bool:
    if _VISIBLE_RE.search(value):
        return False
    return all(
        c in _BLANK or c.isspace() or unicodedata.category(c) in _INVISIBLE_CATEGORIES
        for c in value
    )


def nfc(value: str) -> str:
    """``value`` in Unicode normal form C (composed: "e" + U+0301 becomes "é")."""
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


class _TextSpec(NamedTuple):
    name: bool
    max_length: int | None


def _text_spec(t: mi.Type, name: bool = False) -> _TextSpec | None:
    """How the strings a field's type holds are checked (None: it holds none)."""
    if isinstance(t, mi.Metadata):
        return _text_spec(t.type, name or (t.extra or {}).get("text") == "name")
    if isinstance(t, mi.StrType):
        return _TextSpec(name, t.max_length)
    if isinstance(t, mi.UnionType):
        for member in t.types:
            spec = _text_spec(member, name)
            if spec is not None:
                return spec
        return None
    if isinstance(t, mi.ListType | mi.VarTupleType):
        return _text_spec(t.item_type, name)
    return None


_SPECS: dict[type, dict[str, _TextSpec]] = {}


def _specs(cls: type) -> dict[str, _TextSpec]:
    specs = _SPECS.get(cls)
    if specs is None:
        info = mi.type_info(cls)
        assert isinstance(info, mi.StructType)
        specs = {}
        for field in info.fields:
            spec = _text_spec(field.type)
            if spec is not None:
                specs[field.name] = spec
        _SPECS[cls] = specs
    return specs


def _checked(value: str, path: str, spec: _TextSpec) -> str:
    fault = text_fault(value, spec.name)
    if fault is not None:
        # msgspec turns this into a ValidationError at the Struct's path; the request
        # decoding (planner.problems) reads the field back out of "field `...`: "
        raise ValueError(f"field `{path}`: {fault.reason}")
    normal = nfc(value)
    if spec.max_length is not None and len(normal) > spec.max_length:
        raise ValueError(f"field `{path}`: Expected `str` of length <= {spec.max_length}")
    return normal


def check_text_fields(obj: msgspec.Struct) -> None:
    """Refuse ``obj``'s strings that break the text rules; store the others in NFC.

    Called from ``__post_init__`` (also of frozen Structs), so a nested Struct checks its
    own fields; a list of strings is checked item by item (``agenda[2]``).
    """
    for field, spec in _specs(type(obj)).items():
        value = getattr(obj, field)
        if isinstance(value, str):
            normal = _checked(value, field, spec)
            if normal is not value:
                msgspec.structs.force_setattr(obj, field, normal)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    value[i] = _checked(item, f"{field}[{i}]", spec)


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are refused with 400; text is checked
    (``check_text_fields``) and kept in NFC."""

    def __post_init__(self) -> None:
        check_text_fields(self)


class Out(msgspec.Struct, kw_only=True):
    """Base of every response body."""
