import pytest

from tests.conftest import RunningService

pytestmark = pytest.mark.browser


async def test_start_page_opens_in_chromium(browser, service) -> None:
    running: RunningService = service()
    page = await browser.new_page()
    try:
        response = await page.goto(running.base_url + "/")
        assert response is not None and response.status == 200
        assert await page.locator("body").count() == 1
        await page.wait_for_load_state("networkidle")
    finally:
        await page.close()
