"""Issue 18, suggestions in the browser at 375 px, in Chinese and English: an owner submits a
suggestion on the phone with a photo and sees it under "my suggestions"; the committee
filters the triage list and tags it urgent and hard; the owner sees the tags; a questionnaire
is answered on the phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.consultation_helpers import fits_phone, in_language, png

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,201,2,100.00,B,业主乙,
2栋,101,1,95.00,C,业主丙,
"""
TEXT = "三栋楼道的灯坏了，晚上上下楼看不清"
# Form controls a screen reader could not name (as in test_screens_tour).
UNLABELLED = """[...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden' && !e.labels.length && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML)"""


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_owner_suggests_on_the_phone_and_the_committee_tags_it(
    make_service_estate: Any,
    open_page: Any,
    screenshot: Any,
    missing_keys: Any,
    tmp_path: Path,
    lang: str,
) -> None:
    estate = make_service_estate(CSV)
    households = {(h["building"], h["unit"]): h["id"] for h in estate.households()}
    _, owner_token = estate.member("owner", "业主甲", household_ids=[households[("1栋", "101")]])
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    base = estate.svc.base_url

    # The owner, on the phone: 提建议 with a photo from the camera.
    owner = await open_page(base, owner_token, phone=True, lang=lang)
    await owner.goto(f"{base}/#/suggest")
    await owner.get_by_test_id("suggest-form").wait_for()
    await owner.fill("#s-text", TEXT)
    await owner.select_option("#s-category", "safety")
    await owner.set_input_files("#s-photo", str(png(tmp_path / "lamp.png")))
    await owner.get_by_test_id("suggest-photo-attached").wait_for()
    await owner.get_by_test_id("suggest-submit").click()
    await owner.get_by_test_id("suggest-done").wait_for()
    mine = owner.get_by_test_id("my-suggestion").filter(has_text=TEXT)
    await mine.wait_for()
    await fits_phone(owner)
    await in_language(owner, lang, missing_keys)
    assert await owner.evaluate(UNLABELLED) == []
    await screenshot(owner, f"needs-suggest-{lang}")

    # The committee, on the phone: filter by category, tag it urgent and hard.
    page = await open_page(base, committee_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/suggestions")
    await page.get_by_test_id("triage-filters").wait_for()
    await page.select_option("#f-category", "safety")
    item = page.get_by_test_id("triage-item").filter(has_text=TEXT)
    await item.wait_for()
    assert await page.get_by_test_id("triage-item").count() == 1
    await item.locator("img.sheet-photo").wait_for()
    await item.get_by_test_id("tag-urgent").click()
    await item.get_by_test_id("tag-urgency").wait_for()
    await item.get_by_test_id("tag-hard").click()
    await item.get_by_test_id("tag-difficulty").wait_for()
    # tagged, it leaves the "not sorted yet" list; "sorted" and "urgent" show it
    await page.select_option("#f-state", "untriaged")
    await page.get_by_test_id("triage-empty").wait_for()
    await page.select_option("#f-state", "triaged")
    await page.select_option("#f-urgency", "urgent")
    await page.get_by_test_id("triage-item").filter(has_text=TEXT).wait_for()
    await fits_phone(page)
    await in_language(page, lang, missing_keys)
    assert await page.evaluate(UNLABELLED) == []
    await screenshot(page, f"needs-triage-{lang}")
    listed = committee.get(f"/api/estates/{estate.id}/suggestions?state=triaged")
    assert [(s["urgency"], s["difficulty"], s["category"]) for s in listed["items"]] == [
        ("urgent", "hard", "safety")
    ]

    # Several selected → "merge into a common problem" (the problems slice's endpoint: where
    # it is absent, the screen says so instead of failing).
    await item.get_by_test_id("select").check()
    merge = page.get_by_test_id("merge-form")
    await merge.get_by_test_id("merge-title").fill("楼道照明修复")
    await merge.get_by_test_id("merge-submit").click()
    await page.get_by_test_id("confirm-merge-yes").click()
    merged = page.get_by_test_id("merge-unavailable").or_(page.get_by_test_id("triage-empty"))
    await merged.first.wait_for()
    await fits_phone(page)
    await in_language(page, lang, missing_keys)

    # The owner sees the tags on "my suggestions" (live, or on the next look).
    await owner.reload()
    await (
        owner.get_by_test_id("my-suggestion")
        .filter(has_text=TEXT)
        .get_by_test_id("tag-urgency")
        .wait_for()
    )


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_owner_answers_a_questionnaire_on_the_phone(
    make_service_estate: Any, open_page: Any, screenshot: Any, missing_keys: Any, lang: str
) -> None:
    estate = make_service_estate(CSV)
    households = {(h["building"], h["unit"]): h["id"] for h in estate.households()}
    _, owner_token = estate.member("owner", "业主乙", household_ids=[households[("1栋", "201")]])
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    made = committee.post(
        f"/api/estates/{estate.id}/questionnaires",
        {
            "title": "居民需求问卷",
            "questions": [
                {
                    "text": "您对小区环境是否满意？",
                    "kind": "single",
                    "options": ["满意", "一般", "不满意"],
                },
                {"text": "您的意见建议", "kind": "text", "suggestion": True},
            ],
        },
    )
    committee.post(f"/api/questionnaires/{made['id']}/publish")
    base = estate.svc.base_url
    owner = await open_page(base, owner_token, phone=True, lang=lang)
    await owner.goto(f"{base}/#/questionnaires/{made['id']}")
    form = owner.get_by_test_id("answer-form")
    await form.wait_for()
    await form.get_by_test_id("answer-option").nth(2).check()
    await form.get_by_test_id("answer-text").fill("希望增加健身器材")
    await owner.select_option("#a-category", "facilities")
    await form.get_by_test_id("answer-submit").click()
    await owner.get_by_test_id("answer-saved").wait_for()
    await owner.get_by_test_id("result-bar").first.wait_for()
    await fits_phone(owner)
    await in_language(owner, lang, missing_keys)
    assert await owner.evaluate(UNLABELLED) == []
    await screenshot(owner, f"needs-questionnaire-{lang}")
    results = committee.get(f"/api/questionnaires/{made['id']}/results")
    assert [o["count"] for o in results["questions"][0]["options"]] == [0, 0, 1]
    assert results["suggestions"] == 1


@pytest.mark.timeout(240)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
async def test_committee_imports_paper_answers_with_errors_by_line(
    make_service_estate: Any,
    open_page: Any,
    screenshot: Any,
    missing_keys: Any,
    tmp_path: Path,
    lang: str,
) -> None:
    estate = make_service_estate(CSV)
    _, committee_token = estate.member("committee", "王主任")
    committee = estate.api(committee_token)
    made = committee.post(
        f"/api/estates/{estate.id}/questionnaires",
        {
            "title": "居民需求问卷",
            "questions": [
                {"text": "满意吗", "kind": "single", "options": ["满意", "一般", "不满意"]},
                {"text": "您的意见建议", "kind": "text", "suggestion": True},
            ],
        },
    )
    committee.post(f"/api/questionnaires/{made['id']}/publish")
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,楼栋,房号,问题1,意见建议\n1,1栋,101,满意,加装电梯\n1,9栋,101,很好,\n")
    good = tmp_path / "good.csv"
    good.write_text(
        "编号,楼栋,房号,问题1,意见建议,类别\n1,1栋,101,满意,加装电梯,设施改造\n2,2栋,101,2,,\n"
    )
    base = estate.svc.base_url
    page = await open_page(base, committee_token, phone=True, lang=lang)
    await page.goto(f"{base}/#/questionnaires/{made['id']}")
    await page.locator("[data-testid=import-form] summary").click()
    await page.set_input_files("#import-file", str(bad))
    errors = page.get_by_test_id("import-errors")
    await errors.wait_for()
    assert await errors.locator("li").count() == 3  # line 3: sheet twice, building, option
    await fits_phone(page)
    await in_language(page, lang, missing_keys)
    assert await page.evaluate(UNLABELLED) == []
    await screenshot(page, f"needs-import-errors-{lang}")
    await page.set_input_files("#import-file", str(good))
    await page.get_by_test_id("import-done").wait_for()
    await page.get_by_test_id("result-bar").first.wait_for()
    results = committee.get(f"/api/questionnaires/{made['id']}/results")
    assert results["answers_total"] == 2 and results["suggestions"] == 1
