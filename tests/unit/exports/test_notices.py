"""Payment notices: one escaped, printable page per household with the amount in capitals."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import msgspec
import pytest
from export_samples import INJECTION, sample_plan

from planner.funding.exports.model import ExportPlan, content_disposition
from planner.funding.exports.notices import render_notices, verification_code
from planner.payments.model import PaymentInstructions


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


def test_one_page_per_household_with_shares_total_and_capitals() -> None:
    plan = sample_plan()
    html = render_notices(plan, plan.result.households)
    assert html.count('<section class="notice"') == 4
    assert "break-after: page" in html and "@page" in html and "@media print" in html
    page = html.split('<section class="notice"')[1]
    assert "幸福小区" in page and "3栋 101" in page and "张三" in page and "80.00 m²" in page
    assert "屋面防水" in page and "¥600.00" in page and "¥450.01" in page
    assert "¥1,050.01" in page and "壹仟零伍拾元零壹分" in page
    assert "第3版" in page and "已批准" in page and "2024-09-28" in page
    assert "草稿" not in html and 'watermark"' not in html
    exempt = html.split('<section class="notice"')[4]
    assert "零元整" in exempt and "困难户封顶" in exempt


def test_user_text_is_escaped() -> None:
    plan = sample_plan()
    html = render_notices(plan, plan.result.households)
    assert "李四&lt;b&gt;" in html and "李四<b>" not in html
    assert "=HYPERLINK(&quot;http://x&quot;)" in html
    assert "<b>" not in parse(html).tags and "script" not in parse(html).tags
    hostile = sample_plan(estate_name='<script>alert("x")</script>')
    html = render_notices(hostile, hostile.result.households[:1])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_drafts_carry_a_watermark_on_every_page() -> None:
    plan = sample_plan("draft")
    html = render_notices(plan, plan.result.households)
    assert html.count('class="watermark"') == 4 and html.count('class="banner"') == 4
    assert "草稿：本方案尚未批准" in html and "<title>草稿 · " in html
    english = render_notices(plan, plan.result.households, "en")
    assert english.count('<div class="watermark" aria-hidden="true">DRAFT</div>') == 4
    assert "DRAFT: this plan is not approved" in english and "<title>DRAFT · " in english


def test_verification_code_is_stable_and_bound_to_plan_household_and_amount() -> None:
    plan = sample_plan()
    code = verification_code(plan, 101, 105_001)
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", code)
    assert verification_code(sample_plan(), 101, 105_001) == code
    assert verification_code(plan, 101, 105_002) != code
    assert verification_code(plan, 102, 105_001) != code
    page = render_notices(plan, plan.result.households[:1])
    assert code in page


def test_content_disposition_has_ascii_fallback_and_utf8_name() -> None:
    header = content_disposition('幸福"小区/3栋.csv', "plan-7-v3.csv")
    assert header.startswith("attachment; filename=\"plan-7-v3.csv\"; filename*=UTF-8''")
    assert "%E5%B9%B8%E7%A6%8F_%E5%B0%8F%E5%8C%BA_3%E6%A0%8B.csv" in header
    header.encode("ascii")  # a header must be plain ASCII
    assert content_disposition("a.html", "a.html", inline=True).startswith("inline;")


def test_a_superseded_plan_s_notices_are_void_on_every_page() -> None:
    plan = msgspec.structs.replace(
        sample_plan(),
        status="superseded",
        superseded_by_version=4,
        superseded_at=datetime(2024, 10, 8, 9, 0, tzinfo=UTC),
        payments={1: 10_000},
    )
    html = render_notices(plan, plan.result.households)
    pages = html.split('<section class="notice"')[1:]
    assert len(pages) == 4
    for page in pages:
        assert 'data-plan-status="superseded"' in page
        assert '<div class="watermark" aria-hidden="true">已作废</div>' in page
        assert "本方案已被第4版取代，不得作为缴费依据" in page and "superseded by" not in page
        assert "缴费状态" not in page and "草稿" not in page and "2024-10-08" in page
    assert "<title>已作废 · " in html
    english = render_notices(plan, plan.result.households, "en")
    for page in english.split('<section class="notice"')[1:]:
        assert '<div class="watermark" aria-hidden="true">VOID</div>' in page
        assert "VOID: superseded by plan v4; this is not a payment demand" in page
        assert "Payment<" not in page and "DRAFT" not in page and "2024-10-08" in page
    assert "<title>VOID · " in english
    assert "已作废" not in render_notices(sample_plan(), plan.result.households)


def test_notice_dates_are_the_estates_calendar_day() -> None:
    # Approved at 17:00 UTC on 28 September: already the 29th in Shanghai.
    late = datetime(2024, 9, 28, 17, 0, tzinfo=UTC)
    plan = msgspec.structs.replace(sample_plan(), approved_at=late)
    assert "已批准 2024-09-29" in render_notices(plan, plan.result.households)
    assert "approved 2024-09-29" in render_notices(plan, plan.result.households, "en")
    west = msgspec.structs.replace(plan, time_zone="America/New_York")
    assert "已批准 2024-09-28" in render_notices(west, west.result.households)
    draft = msgspec.structs.replace(
        sample_plan("draft"), created_at=datetime(2024, 9, 27, 23, 0, tzinfo=UTC)
    )
    assert "创建于 2024-09-28" in render_notices(draft, draft.result.households)
    assert "draft (not approved), created 2024-09-28" in render_notices(
        draft, draft.result.households, "en"
    )


def test_notices_are_a4_in_print_and_phone_sized_on_screen() -> None:
    html = render_notices(sample_plan(), sample_plan().result.households)
    assert "@page { size: A4;" in html and "@media print" in html
    assert "@media screen and (max-width: 820px)" in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html


# Issue 16: a notice speaks one language. What it may show in the other script: data (the
# sample's names and titles, the treasurer's typed instructions), codes and units.
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")
INSTRUCTIONS = PaymentInstructions(
    plan_id=7,
    version=3,
    due_date=date(2024, 10, 31),
    payee="幸福小区业主委员会",
    account="工商银行 6222 0000 1111",
    how_to_pay="转账请注明楼栋单元\n或到物业办公室缴纳",
    set_by=None,
    set_at=datetime(2024, 9, 28, 9, 0, tzinfo=UTC),
)


def _plans() -> list[ExportPlan]:
    approved = msgspec.structs.replace(
        sample_plan(), instructions=INSTRUCTIONS, payments={101: 50_000, 102: 125_002}
    )
    void = msgspec.structs.replace(
        approved,
        status="superseded",
        superseded_by_version=4,
        superseded_at=datetime(2024, 10, 8, 9, 0, tzinfo=UTC),
    )
    return [approved, sample_plan("draft"), void]


def _shown_text(html: str) -> str:
    """The text a reader sees (the body, without the style sheet), data removed."""
    collector = parse(html.split("</style>", 1)[1])
    text = " ".join(collector.text)
    title = re.search(r"<title>(.*?)</title>", html)
    assert title is not None
    text += " " + title.group(1)
    data = [
        "幸福小区",
        "3栋",
        "4栋",
        "张三",
        "李四<b>",
        "王五",
        INJECTION,
        "屋面防水",
        "=监控",
        INSTRUCTIONS.payee,
        INSTRUCTIONS.account,
        *INSTRUCTIONS.how_to_pay.splitlines(),
    ]
    for piece in sorted(data, key=len, reverse=True):
        text = text.replace(piece, " ")
    return re.sub(r"\b[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}\b", " ", text)  # verification codes


@pytest.mark.parametrize("which", ["approved", "draft", "void"])
def test_a_chinese_notice_has_no_latin_sentence(which: str) -> None:
    plan = dict(zip(["approved", "draft", "void"], _plans(), strict=True))[which]
    html = render_notices(plan, plan.result.households)
    assert html.count('<section class="notice"') == 4 and '<html lang="zh-CN">' in html
    words = set(LATIN_WORD.findall(_shown_text(html)))
    # m² and plan versions aside, no Latin word at all
    assert words <= {"m"}, sorted(words)
    assert "合计" in html and "核验码：" in html and "人民币大写：" in html
    assert "业主委员会（盖章）" in html and "日期：____年__月__日" in html
    if which == "approved":
        assert "部分缴纳 · 已缴 ¥500.00 · 尚需缴纳 ¥550.01" in html
        assert "<th>缴费截止</th><td>2024-10-31</td>" in html and "<th>收款人</th>" in html


@pytest.mark.parametrize("which", ["approved", "draft", "void"])
def test_an_english_notice_has_no_chinese_but_data(which: str) -> None:
    plan = dict(zip(["approved", "draft", "void"], _plans(), strict=True))[which]
    html = render_notices(plan, plan.result.households, "en")
    assert html.count('<section class="notice"') == 4 and '<html lang="en">' in html
    assert CJK.findall(_shown_text(html)) == []
    # the amount in capital numerals is a Chinese banking convention: not in English
    assert 'class="capital"' not in html and "壹仟" not in html and "零元整" not in html
    assert "<td>Total</td>" in html and "Verification code: " in html
    assert "Owners' committee (seal)" in html and "Date: ____" in html
    assert "¥1,050.01" in html and "80.00 m²" in html and "v3" in html
    if which == "approved":
        assert "partly paid · paid ¥500.00 · remaining ¥550.01" in html
        assert "<th>Due date</th><td>2024-10-31</td>" in html and "<th>Payee</th>" in html
        assert "held at the hardship cap of ¥0.00" in html
    else:
        assert "Payment<" not in html
    # the same verification codes in both languages
    chinese = render_notices(plan, plan.result.households)
    codes = re.compile(r'<span class="code" lang="en">([^<]+)</span>')
    assert codes.findall(html) == codes.findall(chinese)
