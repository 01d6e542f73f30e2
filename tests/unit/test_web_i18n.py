"""The web's translations of error codes: every code in planner.errors.CODES reads as
``error.<code>`` in both languages, with the same parameters, and no other ``error.`` key
lingers; both languages have the same keys."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from planner.errors import CODES

I18N = Path(__file__).resolve().parents[2] / "web" / "i18n"
LANGUAGES = ("zh-CN", "en")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
CJK = re.compile(r"[\u3400-\u9fff]")
# Parameters the Chinese sentences leave out on purpose: English text from the server.
# parameters whose values are English text from elsewhere (msgspec, the CSV parser)
ENGLISH_ONLY = {"reason", "when", "error"}


def load(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_code_is_translated_and_no_stale_one(lang: str) -> None:
    keys = {key for key in load(lang) if key.startswith("error.")}
    expected = {f"error.{code}" for code in CODES}
    assert sorted(expected - keys) == [], f"{lang}.json lacks translations"
    assert sorted(keys - expected) == [], f"{lang}.json translates codes that no longer exist"


def test_both_languages_have_the_same_keys() -> None:
    zh, en = load("zh-CN"), load("en")
    assert sorted(set(zh) ^ set(en)) == []


@pytest.mark.parametrize("code", sorted(CODES))
def test_sentences_use_only_the_codes_parameters(code: str) -> None:
    declared = set(PLACEHOLDER.findall(CODES[code]))
    zh = set(PLACEHOLDER.findall(load("zh-CN")[f"error.{code}"]))
    en = set(PLACEHOLDER.findall(load("en")[f"error.{code}"]))
    assert zh <= declared - ENGLISH_ONLY, (code, zh)
    assert en <= declared, (code, en)
    assert declared - ENGLISH_ONLY <= zh, (code, declared - zh)


def test_chinese_sentences_are_chinese() -> None:
    zh = load("zh-CN")
    latin_words = re.compile(r"[A-Za-z]{3,}")
    for code in CODES:
        sentence = PLACEHOLDER.sub("", zh[f"error.{code}"])
        assert CJK.search(sentence), code
        for name in ("JSON", "UTF", "CSV"):  # names, not English words
            sentence = sentence.replace(name, "")
        assert not latin_words.search(sentence), (code, sentence)
