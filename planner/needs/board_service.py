"""The estate's public board (公示栏): the district's figures, counts by category and
status, and the list of common problems with who is responsible.

Who reads it: every member of the estate but suppliers, partner units (共建单位) included:
the board is what the estate posts on its notice board, and partners work with the estate
on its problems. It shows no source suggestion, no household and no name but the
responsible party's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from planner.access.guards import CAPABILITIES, authorize
from planner.access.model import Principal
from planner.db.pool import Database
from planner.errors import NotFound
from planner.estates.store import get_estate
from planner.needs import problem_store as store
from planner.needs.categories import CATEGORIES, PROBLEM_STATUSES
from planner.needs.problem_model import BoardOut, BoardProblem, CategoryCount, StatusCount
from planner.needs.problem_rules import ProblemFact, problem_figures

#: who reads the board: members and partner units, not suppliers
BOARD_READERS = CAPABILITIES["board.view"]


async def board(db: Database, estate_id: int, principal: Principal) -> BoardOut:
    authorize(principal, estate_id, BOARD_READERS, what="estate")
    async with db.connection() as conn:
        estate = await get_estate(conn, estate_id)
        if estate is None:
            raise NotFound("estate")
        rows = await store.list_problems(conn, estate_id)
        counts = await store.group_counts(conn, [r.id for r in rows])
        received = await store.suggestion_figures(conn, estate_id)
        by_category = await store.suggestions_by_category(conn, estate_id)
    figures = {
        "suggestions_received": received.received,
        "suggestions_sorted": received.sorted,
        "self_help": received.self_help,
        **problem_figures(ProblemFact(r.status, r.urgency) for r in rows),
    }
    problems_by_category = {c: 0 for c in CATEGORIES}
    problems_by_status = {s: 0 for s in PROBLEM_STATUSES}
    for r in rows:
        problems_by_category[r.category] = problems_by_category.get(r.category, 0) + 1
        problems_by_status[r.status] += 1
    categories = list(CATEGORIES) + sorted(set(by_category) - set(CATEGORIES))
    return BoardOut(
        estate_id=estate_id,
        estate_name=estate.name,
        figures=figures,
        by_category=[
            CategoryCount(
                category=c,
                suggestions=by_category.get(c, 0),
                problems=problems_by_category.get(c, 0),
            )
            for c in categories
        ],
        by_status=[StatusCount(status=s, problems=n) for s, n in problems_by_status.items()],
        problems=[
            BoardProblem(
                id=r.id,
                title=r.title,
                category=r.category,
                urgency=r.urgency,
                status=r.status,
                responsible=r.responsible,
                supporters_owners=counts[r.id].owners,
                supporters_units=counts[r.id].units,
                solved_at=r.solved_at,
            )
            for r in sorted(rows, key=lambda r: r.id)
        ],
        generated_at=datetime.now(UTC),
    )


async def board_time_zone(db: Database, estate_id: int) -> str:
    async with db.connection() as conn:
        estate = await get_estate(conn, estate_id)
    return estate.time_zone if estate is not None else "Asia/Shanghai"
