"""The triage list of 10,000 suggestions, filtered and paged through the API, and the CSV
import of 3,000 questionnaire answers (issue 18).

Starts an embedded PostgreSQL and one ``planner serve``, makes an estate of ``--units``
one-unit owners (buildings of 100 units) and an open questionnaire round, then imports
``--answers`` answers as one CSV (timed; each with a suggestion), and more files until the
estate holds ``--suggestions`` suggestions (categories and buildings spread, ``--tagged`` of
them tagged urgent/hard through PATCH). Then pages through the triage list with several
filters (the first page and ``--pages`` next ones each) and prints p50/p95 per request.

    uv run python bench/needs_triage.py [--units 3000] [--answers 3000] [--suggestions 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from paper_setup import estate
from scratch import embedded_database

from planner.needs.categories import CATEGORIES
from planner.testing.api import bearer
from planner.testing.service import start_service

QUESTIONS = [
    {"text": "您对小区环境是否满意？", "kind": "single", "options": ["满意", "一般", "不满意"]},
    {"text": "最希望改造的设施", "kind": "multi", "options": ["电梯", "停车", "绿化", "照明"]},
    {"text": "您的意见建议", "kind": "text", "suggestion": True},
]
TEXTS = ["楼道灯坏了", "希望加装电梯", "停车位太少", "垃圾分类点太远", "下水道经常堵", "外墙渗水"]


def answers_csv(rows: int, start: int, units: int, rng: random.Random) -> str:
    """``rows`` answers with sheet numbers from ``start``, each with a suggestion."""
    lines = ["sheet_no,building,unit,q1,q2,suggestion,category"]
    for n in range(start, start + rows):
        i = rng.randrange(units)
        building, unit = f"{1 + i // 100}栋", f"{1 + (i % 100) // 4}{i % 4 + 1:02d}"
        lines.append(
            f"S{n:06d},{building},{unit},{rng.randint(1, 3)},{rng.randint(1, 4)},"
            f"{rng.choice(TEXTS)}（{n}号问卷）,{rng.choice(CATEGORIES)}"
        )
    return "\n".join(lines) + "\n"


async def run(args: argparse.Namespace) -> None:
    rng = random.Random(18)
    folder = Path(tempfile.mkdtemp(prefix="needs-triage-"))
    async with embedded_database(folder / "pg", "bench") as url:
        service = await asyncio.to_thread(start_service, url, folder / "svc", timeout=180)
        try:
            async with httpx.AsyncClient(base_url=service.base_url, timeout=600) as http:
                estate_id, (token,) = await estate(http, service.admin_token, args.units, 1)
                auth = bearer(token)
                made = await http.post(
                    f"/api/estates/{estate_id}/questionnaires",
                    json={"title": "居民需求问卷", "questions": QUESTIONS},
                    headers=auth,
                )
                made.raise_for_status()
                qid = made.json()["id"]
                (
                    await http.post(f"/api/questionnaires/{qid}/publish", headers=auth)
                ).raise_for_status()
                imports = []
                done = 0
                while done < args.suggestions:
                    rows = min(args.answers, args.suggestions - done)
                    body = answers_csv(rows, done, args.units, rng).encode()
                    t0 = time.perf_counter()
                    answer = await http.post(
                        f"/api/questionnaires/{qid}/answers/import",
                        content=body,
                        headers={**auth, "content-type": "text/csv"},
                    )
                    imports.append((rows, time.perf_counter() - t0, len(body)))
                    if answer.status_code != 201:
                        raise SystemExit(f"FAILED import: {answer.text[:500]}")
                    done += rows
                ids = answer.json()["suggestion_ids"]
                for sid in rng.sample(ids, min(args.tagged, len(ids))):
                    tagged = await http.patch(
                        f"/api/suggestions/{sid}",
                        json={
                            "urgency": rng.choice(["urgent", "normal"]),
                            "difficulty": rng.choice(["hard", "easy"]),
                        },
                        headers=auth,
                    )
                    tagged.raise_for_status()
                filters: list[dict[str, Any]] = [
                    {},
                    {"state": "untriaged"},
                    {"category": "facilities"},
                    {"category": "safety", "state": "untriaged"},
                    {"building_id": None},  # filled below: the first building
                    {"urgency": "urgent"},
                    {"state": "triaged", "difficulty": "hard"},
                    {"channel": "import", "category": "health"},
                    {"q": "电梯"},
                ]
                buildings = (
                    await http.get(f"/api/estates/{estate_id}/buildings", headers=auth)
                ).json()
                filters[4]["building_id"] = buildings[0]["id"]
                took: list[float] = []
                per_filter = []
                for f in filters:
                    after = None
                    mine = []
                    for _ in range(args.pages + 1):
                        params = {**f, "limit": 50} | ({"after": after} if after else {})
                        t0 = time.perf_counter()
                        page = await http.get(
                            f"/api/estates/{estate_id}/suggestions", params=params, headers=auth
                        )
                        mine.append(time.perf_counter() - t0)
                        page.raise_for_status()
                        after = page.json()["next_after"]
                        total = page.json()["total"]
                        if after is None:
                            break
                    took += mine
                    per_filter.append((f, total, statistics.median(mine)))
        finally:
            service.stop()
    took.sort()
    p50 = statistics.median(took) * 1000
    p95 = took[max(0, int(len(took) * 0.95) - 1)] * 1000
    print(
        f"## Triage list and answer import ({datetime.now(UTC).date()}, "
        f"{args.suggestions} suggestions, {args.units} units)"
    )
    print()
    print("| import | answers | body KiB | time s |")
    print("|---:|---:|---:|---:|")
    for n, (rows, spent, size) in enumerate(imports, start=1):
        print(f"| {n} | {rows} | {size / 1024:.0f} | {spent:.2f} |")
    print()
    print(f"triage list, 50 per page: {len(took)} requests, p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    print()
    print("| filter | matches | p50 ms |")
    print("|---|---:|---:|")
    for f, total, median in per_filter:
        shown = ", ".join(f"{k}={v}" for k, v in f.items()) or "(none)"
        print(f"| {shown} | {total} | {median * 1000:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--answers", type=int, default=3000)
    parser.add_argument("--suggestions", type=int, default=10000)
    parser.add_argument("--tagged", type=int, default=500)
    parser.add_argument("--pages", type=int, default=5)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
