"""Fixtures for the browser tests: a running service, data made through its API, and
signed-in Playwright pages on a phone (375x812) or desktop viewport.

Screenshots go to test-artifacts/screenshots/ (ignored by git) so anyone can look at
every screen after a run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


class Api:
    """The service's HTTP API with one member's bearer token."""

    def __init__(self, base_url: str, token: str) -> None:
        self.http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        expect: int | tuple[int, ...] = (200, 201),
        **kwargs: Any,
    ) -> Any:
        response = (
            self.http.post(path, json=body, **kwargs)
            if body is not None or not kwargs
            else self.http.post(path, **kwargs)
        )
        codes = (expect,) if isinstance(expect, int) else expect
        assert response.status_code in codes, f"POST {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def get(self, path: str) -> Any:
        response = self.http.get(path)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        return response.json()

    def close(self) -> None:
        self.http.close()


class Estate:
    """An estate made through the API, with helpers to add members and data."""

    def __init__(self, svc: Any, admin: Api, estate_id: int) -> None:
        self.svc = svc
        self.admin = admin
        self.id = estate_id
        self._apis: list[Api] = []

    def households(self) -> list[dict[str, Any]]:
        data = self.admin.get(f"/api/estates/{self.id}/households")
        return data["items"] if isinstance(data, dict) else data

    def member(self, role: str, display_name: str, **extra: Any) -> tuple[int, str]:
        created = self.admin.post(
            f"/api/estates/{self.id}/members", {"role": role, "display_name": display_name, **extra}
        )
        return created["member_id"], created["token"]

    def api(self, token: str) -> Api:
        api = Api(self.svc.base_url, token)
        self._apis.append(api)
        return api

    def close(self) -> None:
        for api in self._apis:
            api.close()


@pytest.fixture(scope="module")
def module_state(module_service: Callable[..., Any]) -> Iterator[dict[str, Any]]:
    """The module's one service and its admin API, started by the first estate made."""
    state: dict[str, Any] = {}
    yield state
    if "admin" in state:
        state["admin"].close()


@pytest.fixture
def make_service_estate(
    module_service: Callable[..., Any], module_state: dict[str, Any]
) -> Iterator[Callable[..., Estate]]:
    """``make(csv)`` creates an estate with those households in the module's service (started
    by the first call in the module and shared by its tests: each test has estates of its own)."""
    made: list[Estate] = []
    state = module_state

    def make(csv: str, name: str = "幸福里小区") -> Estate:
        if "svc" not in state:
            svc = module_service()
            state["svc"] = svc
            state["admin"] = Api(svc.base_url, svc.admin_token)
        svc, admin = state["svc"], state["admin"]
        estate_id = admin.post("/api/estates", {"name": name})["id"]
        admin.post(
            f"/api/estates/{estate_id}/households/import",
            content=csv.encode(),
            headers={"content-type": "text/csv"},
            expect=201,
        )
        estate = Estate(svc, admin, estate_id)
        made.append(estate)
        return estate

    yield make
    for estate in made:
        estate.close()


@pytest.fixture
async def open_page(browser: Any) -> AsyncIterator[Callable[..., Any]]:
    """``await open_page(base_url, token, phone=True)`` → a signed-in page in its own context.

    Every page fails the test on a JavaScript error, a CSP violation or an alert dialog.
    """
    contexts: list[Any] = []
    problems: list[str] = []

    async def open_(
        base_url: str, token: str, *, phone: bool = False, lang: str | None = None
    ) -> Any:
        context = await browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            accept_downloads=True,
            is_mobile=phone,
            has_touch=phone,
        )
        contexts.append(context)
        if lang:
            await context.add_init_script(f"localStorage.setItem('planner.lang', '{lang}')")
        page = await context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

        def on_console(message: Any) -> None:
            if message.type == "error" and "Content Security Policy" in message.text:
                problems.append(f"CSP violation: {message.text}")

        page.on("console", on_console)

        async def on_dialog(dialog: Any) -> None:
            problems.append(f"dialog opened: {dialog.type} {dialog.message}")
            await dialog.dismiss()

        page.on("dialog", on_dialog)
        await page.goto(f"{base_url}/login?token={token}")
        await page.wait_for_selector("header.top .who")
        return page

    yield open_
    for context in contexts:
        await context.close()
    assert not problems, problems


async def _screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size or DESKTOP
    kind = "phone" if viewport["width"] < 600 else "desktop"
    await page.screenshot(path=str(SCREENSHOTS / f"{name}-{kind}.png"), full_page=True)


async def _missing_keys(page: Any) -> list[str]:
    keys: list[str] = await page.evaluate("[...(globalThis.__plannerMissingKeys || [])]")
    return keys


@pytest.fixture
def screenshot() -> Callable[..., Any]:
    """``await screenshot(page, "room")`` writes test-artifacts/screenshots/room-phone.png
    (or -desktop.png, by the page's width)."""
    return _screenshot


@pytest.fixture
def missing_keys() -> Callable[..., Any]:
    """``await missing_keys(page)``: translation keys the page asked for and did not find."""
    return _missing_keys
