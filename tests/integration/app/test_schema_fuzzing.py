"""Schemathesis against our own OpenAPI document, as every role: no 5xx, responses match.

Bounded: a few examples per operation and role (the long run is bench/schemathesis_long.py).
"""

from __future__ import annotations

import asyncio

import pytest

from planner.testing import Served, row_counts
from planner.testing.fuzzing import fuzz

pytestmark = pytest.mark.timeout(300)

EXAMPLES_PER_ROLE = 2


async def test_schema_fuzzing_every_role(served: Served) -> None:
    world = served.world
    tokens = {f"own:{role}": token for role, token in world.own.items()}
    tokens["global_admin"] = world.admin
    report = await asyncio.to_thread(fuzz, served.base_url, tokens, world.ids, EXAMPLES_PER_ROLE)
    print(
        f"schema fuzzing: {report.requests} requests over {report.operations} operations "
        f"in {report.seconds:.1f} s; statuses {sorted(report.by_status.items())}"
    )
    assert report.operations >= 40
    assert report.requests >= report.operations * len(tokens)
    assert report.failures == [], "\n".join(report.failures[:40])
    # the service still answers, and its books still balance
    counts = await row_counts(served.database_url)
    assert counts["events"] > 0
