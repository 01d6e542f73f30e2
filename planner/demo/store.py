"""SQL of the demo: finding its estates and whether their load finished."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg


async def estates_named(conn: asyncpg.Connection, names: Sequence[str]) -> dict[str, int]:
    """The ids of the estates with these names (name → id)."""
    rows = await conn.fetch(
        "SELECT id, name FROM estates WHERE name = ANY($1) ORDER BY id", list(names)
    )
    return {r["name"]: r["id"] for r in rows}


async def has_event(conn: asyncpg.Connection, estate_id: int, event_type: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT 1 FROM events WHERE estate_id = $1 AND type = $2", estate_id, event_type
        )
    )


# Every timestamp the demo's history writes, by table: (column, which rows are the demo's).
_STORY_COLUMNS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("estates", ("created_at",), "id = ANY($1)"),
    ("members", ("created_at", "revoked_at"), "estate_id = ANY($1)"),
    ("suppliers", ("created_at",), "estate_id = ANY($1)"),
    ("works", ("created_at", "updated_at", "opened_at"), "estate_id = ANY($1)"),
    (
        "invitations",
        ("invited_at",),
        "work_id IN (SELECT id FROM works WHERE estate_id = ANY($1))",
    ),
    ("quotes", ("created_at",), "estate_id = ANY($1)"),
    ("rounds", ("at",), "quote_id IN (SELECT id FROM quotes WHERE estate_id = ANY($1))"),
    ("counter_offers", ("at",), "quote_id IN (SELECT id FROM quotes WHERE estate_id = ANY($1))"),
    ("meetings", ("created_at", "opened_at", "closed_at"), "estate_id = ANY($1)"),
    ("motions", ("created_at", "opened_at", "closed_at"), "estate_id = ANY($1)"),
    ("delegations", ("recorded_at", "revoked_at"), "estate_id = ANY($1)"),
    # published_at is the story clock's already; opened_at is the opening step's now()
    ("consultations", ("opened_at",), "estate_id = ANY($1)"),
    ("estate_secrets", ("created_at",), "estate_id = ANY($1)"),
    (
        "paper_sheets",
        ("created_at",),
        "consultation_id IN (SELECT id FROM consultations WHERE estate_id = ANY($1))",
    ),
    ("paper_entries", ("entered_at",), "estate_id = ANY($1)"),
    ("photos", ("uploaded_at",), "estate_id = ANY($1)"),
    ("funding_sources", ("created_at", "updated_at"), "estate_id = ANY($1)"),
    ("funding_plans", ("created_at", "approved_at"), "estate_id = ANY($1)"),
    # the needs before the renovation (issue 18)
    ("suggestions", ("submitted_at", "triaged_at"), "estate_id = ANY($1)"),
    ("suggestion_photos", ("uploaded_at",), "estate_id = ANY($1)"),
    ("questionnaires", ("created_at", "opened_at", "closed_at"), "estate_id = ANY($1)"),
    (
        "questionnaire_answers",
        ("answered_at",),
        "questionnaire_id IN (SELECT id FROM questionnaires WHERE estate_id = ANY($1))",
    ),
    ("problems", ("created_at", "updated_at", "solved_at"), "estate_id = ANY($1)"),
    (
        "problem_supporters",
        ("added_at",),
        "problem_id IN (SELECT id FROM problems WHERE estate_id = ANY($1))",
    ),
    (
        "wishes",
        ("posted_at", "claimed_at", "fulfilled_at", "confirmed_at", "cancelled_at"),
        "estate_id = ANY($1)",
    ),
    ("pledges", ("created_at", "withdrawn_at"), "estate_id = ANY($1)"),
    ("choice_rounds", ("created_at", "opened_at", "closed_at"), "estate_id = ANY($1)"),
    (
        "choice_approvals",
        ("entered_at",),
        "round_id IN (SELECT id FROM choice_rounds WHERE estate_id = ANY($1))",
    ),
    # after the decision (issue 19)
    ("ledger_entries", ("recorded_at",), "estate_id = ANY($1)"),
    ("bank_statements", ("imported_at",), "estate_id = ANY($1)"),
    ("milestones", ("created_at", "done_at"), "estate_id = ANY($1)"),
    ("progress_updates", ("recorded_at",), "estate_id = ANY($1)"),
    ("acceptances", ("opened_at", "accepted_at"), "estate_id = ANY($1)"),
    ("defects", ("rechecked_at",), "estate_id = ANY($1)"),
    (
        "acceptance_signatures",
        ("signed_at",),
        "acceptance_id IN (SELECT id FROM acceptances WHERE estate_id = ANY($1))",
    ),
    ("variations", ("created_at", "decided_at"), "estate_id = ANY($1)"),
    ("final_accounts", ("created_at", "approved_at"), "estate_id = ANY($1)"),
    # the district (issue 21): assignments made during the story (the tour's is made after)
    ("district_estates", ("assigned_at",), "estate_id = ANY($1)"),
)


async def redate(
    conn: asyncpg.Connection,
    estate_ids: Sequence[int],
    windows: Sequence[tuple[datetime, datetime, timedelta]],
) -> int:
    """Move the demo's rows to story time: a timestamp written in a step's wall-clock window
    [start, end) gets that step's offset. The events need nothing: they were dated by the
    story clock when written (their hashes cover those dates), and so were the ballots (their
    commitments in ``ballot.cast`` cover ``cast_at``). Returns the values moved.

    Rounds, counter-offers and ballots refuse UPDATE by trigger (append-only); as the purge
    does, this disables the user triggers of the tables it changes for the length of the
    caller's transaction (``ALTER TABLE`` locks them exclusively until commit, so no other
    session sees them off). It runs once, in the load, before anyone has seen the rows.
    """
    if not conn.is_in_transaction():
        raise RuntimeError("redate must run inside a transaction")
    starts = [w[0] for w in windows]
    ends = [w[1] for w in windows]
    offsets = [w[2] for w in windows]
    moved = 0
    for table, columns, scope in _STORY_COLUMNS:
        await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for column in columns:
            status = await conn.execute(
                f"""UPDATE {table} AS t SET {column} = t.{column} + w.off
                    FROM unnest($2::timestamptz[], $3::timestamptz[], $4::interval[])
                         AS w(start, stop, off)
                    WHERE t.{scope} AND t.{column} >= w.start AND t.{column} < w.stop""",
                list(estate_ids),
                starts,
                ends,
                offsets,
            )
            moved += int(status.split()[-1])
        await conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    return moved
