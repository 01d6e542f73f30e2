"""Issue 17: the paper entry screen reads a printed sheet's QR code from the phone's camera.

Chromium's fake camera plays a video of the QR code the service printed on the sheet (the
inline SVG of ``sheets.html``, drawn at phone-camera size); headless Chromium on Linux has no
``BarcodeDetector``, so the vendored jsQR reads it. The scanned code opens that sheet's entry
form. Needs the paper slice's routes (skipped without them, saying so)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.consultation_helpers import draft

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,201,2,100.00,B,业主乙,
"""
WIDTH, HEIGHT = 640, 480

DRAW = """async (svg) => {
  const img = new Image();
  img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = WIDTH; canvas.height = HEIGHT;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
  const side = 400;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(img, (canvas.width - side) / 2, (canvas.height - side) / 2, side, side);
  const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const luma = new Array(canvas.width * canvas.height);
  for (let i = 0; i < luma.length; i += 1) {
    luma[i] = Math.round(0.299 * px[4 * i] + 0.587 * px[4 * i + 1] + 0.114 * px[4 * i + 2]);
  }
  return luma;
}""".replace("WIDTH", str(WIDTH)).replace("HEIGHT", str(HEIGHT))


def write_y4m(path: Path, luma: list[int], frames: int = 10) -> Path:
    """A short 4:2:0 video of one grey picture (chroma neutral) for Chromium's fake camera."""
    y = bytes(luma)
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + y + chroma + chroma)
    return path


@pytest.mark.timeout(240)
async def test_the_camera_reads_the_printed_sheets_qr_code(
    make_service_estate: Any, open_page: Any, screenshot: Any, tmp_path: Path
) -> None:
    estate = make_service_estate(CSV)
    _, token = estate.member("committee", "王主任")
    committee = estate.api(token)
    created = draft(committee, estate.id)
    committee.post(f"/api/consultations/{created['id']}/publish")
    deadline = time.monotonic() + 30
    while committee.get(f"/api/consultations/{created['id']}")["status"] != "open":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    listing = committee.http.get(f"/api/consultations/{created['id']}/sheets")
    if listing.status_code != 200:
        pytest.skip("the paper slice's routes are not on this server")
    sheet = next(s for s in listing.json()["items"] if s["owner_key"] == "B")
    printed = committee.http.get(
        f"/api/consultations/{created['id']}/sheets.html", params={"owner_key": "B"}
    )
    assert printed.status_code == 200, printed.text
    svg = re.search(r"<svg\b.*?</svg>", printed.text, flags=re.S)
    assert svg, "the printed sheet has no QR code"
    base = estate.svc.base_url

    # The QR code at camera size, as the fake camera's video.
    drawer = await open_page(base, token, phone=True)
    svg_text = svg.group(0)
    if "xmlns=" not in svg_text:
        svg_text = svg_text.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    luma = await drawer.evaluate(DRAW, svg_text)
    video = write_y4m(tmp_path / "sheet.y4m", luma)

    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        camera_browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                *CHROMIUM_ARGS,
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        try:
            context = await camera_browser.new_context(
                viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
            )
            await context.grant_permissions(["camera"], origin=base)
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(f"{base}/login?token={token}")
            await page.wait_for_selector("header.top .who")
            await page.goto(f"{base}/#/consultations/{created['id']}/paper")
            await page.get_by_test_id("scan").click()
            await page.get_by_test_id("scanner").wait_for()
            shown = page.get_by_test_id("sheet-code-shown")
            await shown.wait_for(timeout=30_000)
            digits = re.sub(r"[\s-]", "", await shown.inner_text())
            assert digits == re.sub(r"[\s-]", "", sheet["code"]).upper()
            await page.get_by_test_id("entry-form").wait_for()
            assert await page.evaluate("document.documentElement.scrollWidth <= 375")
            await screenshot(page, "paper-scanned")
            assert errors == []
        finally:
            await camera_browser.close()
