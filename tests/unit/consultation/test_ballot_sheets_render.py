"""Printable paper ballot sheets: one escaped A4 page per owner in one language (issue 17)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from planner.consultation.codes import sheet_code
from planner.consultation.paper_model import SheetOut, SheetUnit
from planner.consultation.sheets import SheetMotion, SheetsInput, qr_svg, render_sheets

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")


class Text(HTMLParser):
    """The text a reader sees, without the style sheet, the QR code and the typed code."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "svg") or ("class", "code") in attrs:
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self.skip and tag in ("style", "svg", "span"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.text.append(data)


def shown(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(parser.text)


def _sheet(no: int, owner: str, units: list[tuple[str, str, str]]) -> SheetOut:
    return SheetOut(
        code=sheet_code(b"s" * 32, 12, no),
        sheet_no=no,
        owner_key=owner,
        owner_name=f"业主{owner}",
        household_ids=list(range(no * 10, no * 10 + len(units))),
        units=[
            SheetUnit(
                household_id=no * 10 + i,
                building_id=1,
                building=b,
                unit=u,
                label=f"{b}-{u}",
                area_m2=a,
            )
            for i, (b, u, a) in enumerate(units)
        ],
        state="not_entered",
        round=1,
    )


def sample(title: str = "5栋屋面防水维修使用维修资金", owner: str = "甲") -> SheetsInput:
    return SheetsInput(
        estate_name="幸福小区",
        title=title,
        opens_at=datetime(2026, 12, 20, 1, 0, tzinfo=UTC),
        closes_at=datetime(2027, 1, 4, 9, 30, tzinfo=UTC),
        motions=[
            SheetMotion(motion_id=1, title="使用维修资金修缮5栋屋面", text="预算 ¥120,000.00"),
            SheetMotion(motion_id=2, title="选聘施工单位"),
        ],
        sheets=[
            _sheet(1, owner, [("5栋", "101", "80.50"), ("5栋", "102", "90.00")]),
            _sheet(2, "乙", [("5栋", "201", "100.00")]),
        ],
    )


def test_one_page_per_owner_with_units_motions_boxes_and_codes() -> None:
    data = sample()
    html = render_sheets(data)
    assert html.count('<section class="sheet"') == 2 and '<html lang="zh-CN">' in html
    first = html.split('<section class="sheet"')[1]
    assert "幸福小区" in first and "5栋屋面防水维修使用维修资金" in first and "业主甲" in first
    assert "2026-12-20 09:00 至 2027-01-04 17:30（北京时间）" in first
    assert "80.50" in first and "90.00" in first and "170.50" in first
    assert first.count('<span class="box">同意</span>') == 2
    assert '<span class="box">反对</span>' in first and '<span class="box">弃权</span>' in first
    assert "签名" in first and "日期：____年__月__日" in first
    code = data.sheets[0].code
    assert f'<span class="code" lang="en">{code}</span>' in first and qr_svg(code) in first
    assert "<svg" in qr_svg(code) and 'viewBox="0 0 25 25"' in qr_svg(code)


def test_the_chinese_page_has_no_latin_word_and_the_english_no_chinese_but_data() -> None:
    zh = shown(render_sheets(sample()))
    assert set(LATIN_WORD.findall(zh)) <= {"m"}, sorted(set(LATIN_WORD.findall(zh)))
    english = render_sheets(sample(title="Roof of building 5", owner="A"), "en")
    assert '<html lang="en">' in english and "(Beijing time)" in english
    leftover = set(CJK.findall(shown(english)))
    # data only: the estate, the owner and unit names, the motions' titles
    data = {
        "幸福小区",
        "栋",
        "业主",
        "业主乙",
        "使用维修资金修缮",
        "栋屋面",
        "预算",
        "选聘施工单位",
    }
    assert leftover <= data, sorted(leftover - data)


def test_user_text_is_escaped() -> None:
    data = sample(title='<script>alert("x")</script>', owner="<b>")
    data.estate_name = "<img src=x onerror=alert(1)>"
    html = render_sheets(data)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "业主&lt;b&gt;" in html


def test_another_zone_is_named() -> None:
    data = sample()
    data.time_zone = "Europe/Berlin"
    assert "2026-12-20 02:00 至 2027-01-04 10:30（Europe/Berlin）" in render_sheets(data)
