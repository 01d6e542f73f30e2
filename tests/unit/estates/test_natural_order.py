"""Buildings and units in natural order (1栋, 2栋, …, 10栋), as web/lib/format.js orders
them (tests/unit/web_format.test.mjs checks the same cases there)."""

from __future__ import annotations

from planner.estates.natural_order import natural_key


def test_buildings_count_up() -> None:
    names = ["10栋", "2栋", "1栋", "9栋", "11栋", "3栋"]
    assert sorted(names, key=natural_key) == ["1栋", "2栋", "3栋", "9栋", "10栋", "11栋"]


def test_units_by_stairwell_then_floor_and_door() -> None:
    units = ["10-101", "2-301", "2-1001", "1-102", "1-101", "B10", "B2"]
    assert sorted(units, key=natural_key) == [
        "1-101",
        "1-102",
        "2-301",
        "2-1001",
        "10-101",
        "B2",
        "B10",
    ]


def test_names_without_digits_keep_their_text_order() -> None:
    assert sorted(["东区", "A", "B"], key=natural_key) == sorted(["东区", "A", "B"])
