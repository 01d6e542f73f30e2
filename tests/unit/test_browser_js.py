"""Runs the browser modules' unit tests under Node's test runner: the live client
(web/live.js), errors read by code and the route table (web/lib/errors.js, web/routes.js),
dates and times in the estate's zone (web/lib/format.js), the solve form's percentages
(web/lib/percent.js) and the ballot queue (web/lib/ballot_queue.js)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "suite",
    [
        "live/live_client.test.mjs",
        "web_ballot_queue.test.mjs",
        "web_errors.test.mjs",
        "web_format.test.mjs",
        "web_percent.test.mjs",
        "web_route_access.test.mjs",
        "web_sheet_code.test.mjs",
        "web_tally.test.mjs",
        "web_time_zone.test.mjs",
    ],
)
def test_browser_module(suite: str) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    result = subprocess.run(
        [node, "--test", str(HERE / suite)],
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
        env={**os.environ, "TZ": "UTC"},  # shown times must not depend on the runtime's zone
    )
    assert result.returncode == 0, result.stdout + result.stderr
