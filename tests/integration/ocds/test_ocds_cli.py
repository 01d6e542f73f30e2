"""``planner ocds`` (issue 20): the OCDS export straight from the database, by the same code
as the API: all estates by default, one estate, one work; the packages validate (OCDS 1.1.5
with the bid and budget breakdown extensions) and hold the API's releases."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from planner.testing.api import bearer
from planner.testing.settlement import awarded_work
from tests.conftest import ROOT
from tests.unit.ocds.ocds_validation import errors_of_package

pytestmark = pytest.mark.timeout(120)


async def _planner_ocds(
    database_url: str, data_dir: Path, *args: str
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "PLANNER_DATA_DIR": str(data_dir)}
    env["PLANNER_OCDS_PREFIX"] = "ocds-test01"
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "planner", "ocds", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )


def _releases(package: dict[str, Any]) -> list[dict[str, Any]]:
    """The releases without the prefix (the API's default, the command's from the env)."""
    text = json.dumps(package["releases"], sort_keys=True).replace("ocds-test01", "ocds-gongsh")
    return list(json.loads(text))


async def test_planner_ocds_exports_what_the_api_does(
    client: httpx.AsyncClient,
    admin_token: str,
    make_estate: Callable[..., Awaitable[int]],
    database_url: str,
    tmp_path: Path,
) -> None:
    estate_id = await make_estate("金桂苑")
    other_id = await make_estate("银杏苑")
    made = await client.post(
        f"/api/estates/{estate_id}/members",
        json={"role": "committee", "display_name": "王主任"},
        headers=bearer(admin_token),
    )
    committee = made.json()["token"]
    work_id = await awarded_work(client, admin_token, committee, estate_id, "给排水管网改造")
    api = (await client.get("/api/ocds", headers=bearer(admin_token))).json()
    data_dir = tmp_path / "data"

    out = tmp_path / "ocds.json"
    done = await _planner_ocds(database_url, data_dir, "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    package = json.loads(out.read_bytes())
    assert errors_of_package(package) == []
    assert package["publisher"]["name"] == api["publisher"]["name"]
    assert _releases(package) == _releases(api)
    ocid = f"ocds-test01-w{work_id}"
    awarded = [r for r in package["releases"] if r["ocid"] == ocid and "award" in r["tag"]]
    assert awarded and awarded[0]["bids"]["details"], "bids once awarded"

    done = await _planner_ocds(database_url, data_dir, "--work", str(work_id))
    assert done.returncode == 0, done.stderr.decode()
    one = json.loads(done.stdout)
    assert errors_of_package(one) == []
    from_api = await client.get(f"/api/works/{work_id}/ocds", headers=bearer(committee))
    assert _releases(one) == _releases(from_api.json())
    assert one["uri"].endswith(f"/api/works/{work_id}/ocds")

    done = await _planner_ocds(database_url, data_dir, "--estate", str(estate_id))
    assert done.returncode == 0, done.stderr.decode()
    estate = json.loads(done.stdout)
    assert errors_of_package(estate) == []
    assert {r["ocid"] for r in estate["releases"]} == {ocid}
    assert estate["publisher"]["name"] == "金桂苑业主委员会"

    for args in (
        ("--estate", str(other_id + 1000)),
        ("--work", str(work_id + 1000)),
        ("--estate", str(other_id), "--work", str(work_id)),
        ("--estate", str(other_id)),  # no work: OCDS has no empty release package
    ):
        done = await _planner_ocds(database_url, data_dir, *args)
        assert done.returncode == 1 and b"not found" in done.stderr, args
        assert done.stdout == b"", args
    empty = await client.get(f"/api/estates/{other_id}/ocds", headers=bearer(admin_token))
    assert empty.status_code == 404 and empty.json()["code"] == "tenders_not_found"
