"""Issue 16, "done when": the README's demo tour, per role, at 375x812 and 1280x900, in
Chinese and in English. Each role signs in with the demo's own link (one ``planner demo``
for the module), opens every section its navigation offers (read from the page) and the
pages the README sends it to (the 5栋 and 1栋 meetings, the retrofit and the car park, the
supplier's quotes, the plans), waits for the cards to load, and on every screen asserts:

- the page does not scroll sideways and no visible element sticks out of the viewport
  (tables wider than their card scroll inside their ``.table-wrap``, which then says so
  with ``data-scroll-hint``);
- in Chinese, no visible text has a Latin-letter word except units, abbreviations and
  brand names (``ALLOWED_LATIN``) and what people typed (strings the API returned);
- in English, no visible text has Chinese characters except data the API returned (names of
  estates, buildings, owners, works, suppliers, meetings, motions, typed notes).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import expect

from tests.conftest import _cloned_database
from tests.integration.demo.demo_run import DemoRun, run_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}
ROLES = ("committee", "owner", "supplier", "treasurer")
LANGS = ("zh-CN", "en")
# Pages the README's tour sends a role to, found by their link text (data, so the same in
# both languages) on the sections it visits.
README_LINKS = ("5栋", "1栋", "二次供电设施改造", "地下车库改造")
DETAIL = re.compile(r"^#/(meetings|works|funding|supplier/quotes)/\d+$")
# Server-rendered documents linked from the app (minutes, payment notices): one of each.
DOCUMENT = re.compile(r"^/api/.*/(minutes)\.html|^/api/.*/(notices)/")
# Latin words a Chinese screen may show: units, file formats, abbreviations, the brand.
ALLOWED_LATIN = {
    "m",  # m² (the ² is not a letter)
    "v",  # plan versions: v1, v2
    *("BOM", "CSV", "XLSX", "JSON", "UTF", "Excel", "Mac", "Numbers"),
    # the household file's column names, which the import screen lists as they must be typed
    *("building", "unit", "floor", "area_m2", "owner_key", "owner_name", "hardship_cap_fen"),
}
# Ids shown as such: ballot receipts (XUCZ-BCQA-9S), hashes.
ID_LIKE = re.compile(r"\b[A-Z0-9]{2,}(?:-[A-Z0-9]{2,}){2,}\b|\b[0-9a-f]{12,}\b")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Strings that are codes (enum values, ids), not typed data: showing one is untranslated text.
CODE = re.compile(r"^[a-z0-9_.:/-]*$")
# JSON keys whose values are server sentences, never data; ``reason`` only in an error
# (beside a ``code``): a variation's or a declined problem's reason is what a person typed.
SENTENCE_KEYS = {"message", "detail", "error", "explanation"}
ERROR_SENTENCE_KEYS = {"reason"}
# Links shown as such (a public page's address to copy): not words of the interface.
URL = re.compile(r"https?://\S+")

# What the page shows: every visible element that sticks out of the viewport (clipped by its
# scrolling or clipping ancestors), boxes that scroll sideways without being a table wrapper
# with its hint, and the visible text.
SURVEY = """(vw) => {
  const root = document.documentElement;
  const out = {scrollWidth: root.scrollWidth, overflow: [], unmarked: [], texts: []};
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className
       ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
    + (el.dataset && el.dataset.testid ? `[${el.dataset.testid}]` : '');
  const shown = (el) => {
    if (!el.getClientRects().length) return false;
    const cs = getComputedStyle(el);
    return cs.visibility !== 'hidden' && cs.display !== 'none';
  };
  // The part of an element left visible by its ancestors that clip (overflow other than
  // visible: a .table-wrap scrolling sideways, the header's name cut with an ellipsis).
  const visibleSpan = (el) => {
    const r = el.getBoundingClientRect();
    let left = r.left, right = r.right;
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') {
        const b = a.getBoundingClientRect();
        left = Math.max(left, b.left);
        right = Math.min(right, b.right);
      }
    }
    return [left, right];
  };
  const sticksOut = (el) => {
    const [left, right] = visibleSpan(el);
    return right > left && (right > vw + 0.5 || left < -0.5);
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el) || el.matches('.skip:not(:focus)')) continue;  // the skip link waits off-screen
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const parent = el.parentElement;
    // report the outermost element that sticks out, not each of its children
    if (sticksOut(el) && !(parent && parent !== document.body && sticksOut(parent))) {
      const [left, right] = visibleSpan(el);
      out.overflow.push(`${name(el)} [${Math.round(left)}, ${Math.round(right)}] `
        + JSON.stringify((el.innerText || '').slice(0, 60)));
    }
    // a box that scrolls sideways hides part of itself: only a table wrapper may, and then
    // it says so (the old navigation hid 住户 and 成员 this way)
    const scrolls = ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    const wide = el.scrollWidth > el.clientWidth + 1;
    if (scrolls && wide && !(el.matches('.table-wrap') && el.dataset.scrollHint)) {
      out.unmarked.push(name(el));
    }
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('script, style, .skip')) continue;
    if (!shown(el) && !el.closest('option, .sr-only')) continue;
    // text marked as another language on purpose (the toggle's "English" / "中文")
    const marked = el.closest('[lang]');
    if (marked && marked !== root && marked.lang !== root.lang) continue;
    out.texts.push(text);
  }
  for (const el of document.body.querySelectorAll('[placeholder], [aria-label], [title]')) {
    for (const a of ['placeholder', 'aria-label', 'title']) {
      const v = el.getAttribute(a);
      if (v && v.trim()) out.texts.push(v.trim());
    }
  }
  for (const el of document.body.querySelectorAll('[data-scroll-hint]')) {
    out.texts.push(el.dataset.scrollHint);
  }
  return out;
}"""


@pytest.fixture(scope="module")
async def demo(
    pg: Any, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DemoRun]:
    """One ``planner demo`` (the README's command) on a database of its own for the module."""
    async with _cloned_database(pg, template_db, "tour") as url:
        run = await asyncio.to_thread(run_demo, url, tmp_path_factory.mktemp("tour") / "data")
        try:
            yield run
        finally:
            await asyncio.to_thread(run.stop)


@pytest.fixture(scope="module")
def demo_data(demo: DemoRun) -> set[str]:
    """What people typed into the demo that documents show without the app fetching it:
    members' names, owners, buildings, delegations' and ballots' references, payment
    instructions."""
    data: set[str] = set()
    with demo.admin() as admin:
        for estate in admin.get("/api/estates").json():
            base = f"/api/estates/{estate['id']}"
            for path in ("members", "households", "buildings", "delegations", "meetings"):
                response = admin.get(f"{base}/{path}")
                if response.status_code == 200:
                    collect_strings(response.json(), data)
            # the treasurer's payment instructions (payee, how to pay): the funding screen's
            # own fetch of them may not have been read by ``on_response`` when it checks
            plans = admin.get(f"{base}/funding-plans")
            for plan in plans.json() if plans.status_code == 200 else []:
                plan_id = plan["id"] if isinstance(plan, dict) else plan
                given = admin.get(f"/api/funding-plans/{plan_id}/payment-instructions")
                if given.status_code == 200:
                    collect_strings(given.json(), data)
            for meeting in admin.get(f"{base}/meetings").json():
                for motion in admin.get(f"/api/meetings/{meeting['id']}/motions").json():
                    response = admin.get(f"/api/motions/{motion['id']}/ballots")
                    if response.status_code == 200:
                        collect_strings(response.json(), data)
    return data


def collect_strings(value: Any, into: set[str], key: str = "") -> None:
    """Every string of a JSON body that is data (not a code, not a server sentence)."""
    if isinstance(value, dict):
        error = "code" in value
        for k, v in value.items():
            if k not in SENTENCE_KEYS and not (error and k in ERROR_SENTENCE_KEYS):
                collect_strings(v, into, k)
    elif isinstance(value, list):
        for v in value:
            collect_strings(v, into, key)
    elif isinstance(value, str) and not CODE.match(value):
        into.add(value)


class Tour:
    """One role's walk in one browser context: what it saw and what was wrong."""

    def __init__(self, demo: DemoRun, role: str, size: str, lang: str) -> None:
        self.demo, self.role, self.size, self.lang = demo, role, size, lang
        self.width = SIZES[size]["width"]
        self.data: set[str] = set()
        self.problems: list[str] = []
        self.visited: list[str] = []

    async def on_response(self, response: Any) -> None:
        if "/api/" not in response.url or response.status != 200:
            return
        if "json" not in (response.headers.get("content-type") or ""):
            return
        try:
            collect_strings(await response.json(), self.data)
        except Exception:  # a body gone with its page, or not JSON after all
            return

    def is_data(self, piece: str) -> bool:
        return any(piece in s for s in self.data)

    async def check(self, page: Any, where: str) -> None:
        survey = await page.evaluate(SURVEY, self.width)
        if survey["scrollWidth"] > self.width:
            self.problems.append(f"{where}: the page scrolls sideways ({survey['scrollWidth']} px)")
        for item in survey["overflow"]:
            self.problems.append(f"{where}: sticks out of the viewport: {item}")
        if survey["unmarked"]:
            # the app marks a wide table in the frame after the change that widened it
            await page.wait_for_timeout(1000)
            survey["unmarked"] = (await page.evaluate(SURVEY, self.width))["unmarked"]
        for item in survey["unmarked"]:
            self.problems.append(f"{where}: scrolls sideways inside, with no hint: {item}")
        language = self.language_problems(survey["texts"], where)
        if language:
            # the page's own fetches are read by ``on_response`` a moment after they arrive:
            # judge again once their data is in ``self.data``
            await page.wait_for_timeout(1000)
            language = self.language_problems(
                (await page.evaluate(SURVEY, self.width))["texts"], where
            )
        self.problems.extend(language)

    def language_problems(self, texts: list[str], where: str) -> list[str]:
        problems: list[str] = []
        for text in texts:
            if self.lang == "zh-CN":
                words = [
                    w
                    for w in LATIN_WORD.findall(ID_LIKE.sub(" ", URL.sub(" ", text)))
                    if w not in ALLOWED_LATIN
                ]
                bad = [w for w in words if not re.fullmatch(r"[A-Za-z]?\d[\w]*", w)]
                if bad and not all(self.is_data(w) for w in bad):
                    problems.append(f"{where}: Latin text in the Chinese UI: {text!r}")
            else:
                runs = CJK_RUN.findall(text)
                if runs and not all(self.is_data(r) for r in runs):
                    problems.append(f"{where}: Chinese text in the English UI: {text!r}")
        return problems


async def settle(page: Any) -> None:
    """The view drew its heading and every card finished loading."""
    await page.locator("main h1, body h1").first.wait_for()
    await page.wait_for_load_state("networkidle")
    await expect(page.locator(".loading")).to_have_count(0)
    await expect(page.locator('.chart[data-ready="false"]')).to_have_count(0)
    await page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )


async def main_links(page: Any) -> list[tuple[str, str]]:
    pairs: list[list[str]] = await page.evaluate(
        "[...document.querySelectorAll('main a[href]')]"
        ".map(a => [a.getAttribute('href'), a.innerText.trim()])"
    )
    return [(h, t) for h, t in pairs]


async def signed_in(browser: Any, demo: DemoRun, tour: Tour, errors: list[str]) -> Any:
    """A new context at the tour's size and language, signed in with the demo's link."""
    context = await browser.new_context(
        viewport=SIZES[tour.size], is_mobile=tour.size == "phone", has_touch=tour.size == "phone"
    )
    await context.add_init_script(f"localStorage.setItem('planner.lang', '{tour.lang}')")
    page = await context.new_page()
    page.set_default_timeout(20_000)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", tour.on_response)
    await page.goto(demo.links[tour.role])
    await page.wait_for_selector("header.top .who")
    return page


async def walk(page: Any, tour: Tour, sections: tuple[str, ...] | None = None) -> dict[str, str]:
    """Every section of the navigation (or those given), then the README's pages linked from
    them; each checked once loaded. Returns the documents linked on the way, by kind."""
    nav: list[str] = await page.eval_on_selector_all(
        "nav.main a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert nav, "no navigation"
    queue = [href for href in nav if sections is None or href in sections]
    documents: dict[str, str] = {}
    seen: set[str] = set()
    while queue:
        href = queue.pop(0)
        if href in seen:
            continue
        seen.add(href)
        await page.goto(f"{tour.demo.base_url}/{href}")
        await settle(page)
        if sections is None:
            await tour.check(page, href)
        tour.visited.append(href)
        if sections is None:  # a group's other sections: its tabs on this page
            tabs: list[str] = await page.eval_on_selector_all(
                "nav.sub a", "links => links.map(a => a.getAttribute('href'))"
            )
            queue.extend(t for t in tabs if t not in seen and t not in queue)
        for link, text in await main_links(page):
            if link in seen or link in queue:
                continue
            if DETAIL.match(link) and (
                any(name in text for name in README_LINKS)
                or link.startswith(("#/supplier/quotes/", "#/funding/"))
                or (tour.role == "owner" and link.startswith("#/meetings/"))
            ):
                queue.append(link)
            found = DOCUMENT.search(link)
            kind = found and (found.group(1) or found.group(2))
            if kind and kind not in documents:
                documents[kind] = link
    return documents


def report(tour: Tour, errors: list[str]) -> None:
    print(tour.role, tour.size, tour.lang, tour.visited)
    problems = list(dict.fromkeys(tour.problems))
    for problem in problems:
        print("PROBLEM", tour.role, tour.size, tour.lang, problem[:300])
    assert not errors, errors
    assert not problems, "\n".join(problems[:20])


@pytest.mark.timeout(300)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", ROLES)
async def test_role_tour(
    demo: DemoRun, demo_data: set[str], browser: Any, role: str, size: str, lang: str
) -> None:
    """Every screen of the role's tour fits the width and speaks the language."""
    tour = Tour(demo, role, size, lang)
    tour.data |= demo_data
    errors: list[str] = []
    page = await signed_in(browser, demo, tour, errors)
    try:
        await walk(page, tour)
        report(tour, errors)
    finally:
        await page.context.close()


# The documents the tour opens from the app: the closed 1栋 meeting's minutes (committee,
# 议事会 → 1栋 → 会议纪要) and the owner's payment notice (我的分摊 → 缴费通知单).
DOCUMENT_CASES = [
    pytest.param(
        "committee",
        "minutes",
        "phone",
        "zh-CN",
    ),
    pytest.param(
        "committee",
        "minutes",
        "desktop",
        "zh-CN",
    ),
    pytest.param(
        "committee",
        "minutes",
        "phone",
        "en",
    ),
    pytest.param("committee", "minutes", "desktop", "en"),
    *(pytest.param("owner", "notices", size, lang) for size in SIZES for lang in LANGS),
]


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("role", "document", "size", "lang"), DOCUMENT_CASES)
async def test_tour_documents(
    demo: DemoRun,
    demo_data: set[str],
    browser: Any,
    role: str,
    document: str,
    size: str,
    lang: str,
) -> None:
    """The minutes and the payment notice the tour opens fit the width and speak the
    language of the screen that opened them."""
    tour = Tour(demo, role, size, lang)
    tour.data |= demo_data
    errors: list[str] = []
    page = await signed_in(browser, demo, tour, errors)
    try:
        documents = await walk(page, tour, sections=("#/meetings", "#/my"))
        assert document in documents, documents
        link = documents[document]
        await page.goto(f"{demo.base_url}{link}")
        await page.wait_for_load_state("networkidle")
        await tour.check(page, link)
        tour.visited.append(link)
        report(tour, errors)
    finally:
        await page.context.close()
