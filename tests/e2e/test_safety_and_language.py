"""User text is text, never markup; the keyboard reaches the content and the controls."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HOSTILE = "<img src=x onerror=alert(1)>"
CSV = f"""building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,"{HOSTILE}",
1栋,102,1,90.50,B,Zhang Wei,
"""


@pytest.mark.timeout(240)
async def test_hostile_name_displays_literally_and_keyboard_reaches_everything(
    make_service_estate: Any, open_page: Any, screenshot: Any
) -> None:
    estate = make_service_estate(CSV)
    _, committee_token = estate.member("committee", HOSTILE)
    page = await open_page(estate.svc.base_url, committee_token)
    await page.goto(f"{estate.svc.base_url}/#/households")
    cell = page.get_by_test_id("owner-name").filter(has_text="onerror")
    await cell.wait_for()
    assert await cell.inner_text() == HOSTILE
    assert await page.locator("main img").count() == 0  # no element was made from the name
    assert HOSTILE in await page.get_by_test_id("who").inner_text()
    await page.wait_for_timeout(300)  # an onerror handler would have fired by now
    await screenshot(page, "households")
    # open_page fails the test if any dialog (alert) opened or a script error happened.

    # Keyboard: the first Tab lands on the skip link, which moves focus to the content;
    # the language toggle works from the keyboard.
    _, owner_token = estate.member("owner", "Zhang Wei")
    phone = await open_page(estate.svc.base_url, owner_token, phone=True)
    await phone.keyboard.press("Tab")
    assert await phone.evaluate("document.activeElement.textContent") == "跳到正文"
    await phone.keyboard.press("Enter")
    assert await phone.evaluate("document.activeElement.id") == "content"
    await phone.get_by_test_id("lang-toggle").focus()
    await phone.keyboard.press("Enter")
    await phone.get_by_role("link", name="Decide").wait_for()
