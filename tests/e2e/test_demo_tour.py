"""The README's demo tour in headless Chromium: the owner votes on a phone in the open
building meeting, the committee chair watches the tally move, then looks at the retrofit's
negotiation and the approved funding plan.

With ``PLANNER_DOC_SCREENSHOTS=1`` the screenshots also go to docs/demo-*.png (the ones
the README shows); otherwise only to test-artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.demo.demo_run import DemoRun, run_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DOCS = ROOT / "docs"


@pytest.fixture
def demo(database_url: str, tmp_path: Path) -> Iterator[DemoRun]:
    run = run_demo(database_url, tmp_path / "data")
    yield run
    run.stop()


def token(run: DemoRun, role: str) -> str:
    return run.links[role].split("token=", 1)[1]


async def shoot(page: Any, name: str, element: Any = None) -> None:
    """test-artifacts/screenshots/demo-<name>.png (the viewport, or one element), and
    docs/demo-<name>.png when asked to refresh the README's pictures."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"demo-{name}.png"
    if element is not None:
        await element.scroll_into_view_if_needed()
        await element.screenshot(path=str(path))
    else:
        await page.screenshot(path=str(path), full_page=False)
    if os.environ.get("PLANNER_DOC_SCREENSHOTS") == "1":
        shutil.copyfile(path, DOCS / path.name)


@pytest.mark.timeout(600)
async def test_demo_tour_owner_votes_committee_sees_tally(demo: DemoRun, open_page: Any) -> None:
    chair = await open_page(demo.base_url, token(demo, "committee"))
    await chair.get_by_test_id("next-meeting").get_by_role("link").first.click()
    await chair.get_by_test_id("meeting-title").get_by_text("5栋").wait_for()
    participating = chair.get_by_test_id("bar-participating-owners")
    before = await participating.inner_text()
    voted, total = map(int, re.findall(r"(\d+)\s*/\s*(\d+)", before)[0])
    assert 0 < voted < total

    owner = await open_page(demo.base_url, token(demo, "owner"), phone=True)
    await owner.get_by_test_id("next-meeting").get_by_role("link").first.click()
    await owner.get_by_test_id("motion").get_by_text("专项维修资金").first.wait_for()
    await owner.get_by_test_id("my-units").wait_for()
    await owner.get_by_test_id("vote-yes").click()
    await owner.get_by_test_id("my-vote").wait_for()
    await shoot(owner, "owner-vote")

    # The chair's page was not reloaded: the new count arrives over the live socket.
    await participating.get_by_text(f"{voted + 1} / {total}").wait_for()
    await shoot(chair, "committee-tally")

    await chair.goto(f"{demo.base_url}/#/works")
    await chair.get_by_test_id("works").get_by_text("二次供电设施改造").click()
    history = chair.get_by_test_id("quote-history").first
    await history.get_by_text(re.compile(r"52\.8")).first.wait_for()
    await chair.get_by_test_id("awarded-total").get_by_text("1,700,000.00").wait_for()
    await shoot(chair, "retrofit", history)

    treasurer = await open_page(demo.base_url, token(demo, "treasurer"))
    await treasurer.goto(f"{demo.base_url}/#/funding")
    await treasurer.get_by_test_id("plan-residents").wait_for()
    residents = await treasurer.get_by_test_id("plan-residents").inner_text()
    amount = int(re.sub(r"[^\d]", "", residents.split(".")[0]))
    assert 150_000 <= amount <= 200_000, residents
    await shoot(treasurer, "funding-plan", treasurer.get_by_test_id("plan"))

    supplier = await open_page(demo.base_url, token(demo, "supplier"))
    await supplier.goto(f"{demo.base_url}/#/supplier")
    await supplier.get_by_test_id("invited-work").get_by_text("地下车库改造").wait_for()
    await shoot(supplier, "supplier-desk")
