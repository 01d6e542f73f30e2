"""Payment notices: one escaped, printable page per household with the amount in capitals."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import msgspec
from export_samples import sample_plan

from planner.funding.exports.model import content_disposition
from planner.funding.exports.notices import render_notices, verification_code


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
    assert "草稿 DRAFT" in html and "<title>草稿 DRAFT" in html


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
        assert '<div class="watermark" aria-hidden="true">已作废 VOID</div>' in page
        assert "本方案已被第4版取代，不得作为缴费依据" in page and "superseded by plan v4" in page
        assert "缴费状态" not in page and "草稿" not in page and "2024-10-08" in page
    assert "<title>已作废 VOID · " in html
    assert "已作废" not in render_notices(sample_plan(), plan.result.households)


def test_notice_dates_are_the_estates_calendar_day() -> None:
    # Approved at 17:00 UTC on 28 September: already the 29th in Shanghai.
    late = datetime(2024, 9, 28, 17, 0, tzinfo=UTC)
    plan = msgspec.structs.replace(sample_plan(), approved_at=late)
    assert "已批准 / approved 2024-09-29" in render_notices(plan, plan.result.households)
    west = msgspec.structs.replace(plan, time_zone="America/New_York")
    assert "已批准 / approved 2024-09-28" in render_notices(west, west.result.households)
    draft = msgspec.structs.replace(
        sample_plan("draft"), created_at=datetime(2024, 9, 27, 23, 0, tzinfo=UTC)
    )
    assert "draft, created 2024-09-28" in render_notices(draft, draft.result.households)


def test_notices_are_a4_in_print_and_phone_sized_on_screen() -> None:
    html = render_notices(sample_plan(), sample_plan().result.households)
    assert "@page { size: A4;" in html and "@media print" in html
    assert "@media screen and (max-width: 820px)" in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
