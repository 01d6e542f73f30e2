"""Ballot commitments (pure): binding, hiding without the secret, canonical time."""

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from planner.deliberation.commitments import (
    COMMITMENT_HEX,
    ballot_commitment,
    ballots_digest,
    canonical_time,
    new_secret,
    roll_digest,
)

AT = datetime(2026, 12, 4, 8, 0, 0, 123456, tzinfo=UTC)
SECRET = b"k" * 32


def commit(**change: object) -> str:
    fields: dict[str, object] = {
        "motion_id": 1,
        "ballot_id": 7,
        "household_id": 42,
        "choice": "yes",
        "cast_at": AT,
    }
    fields.update(change)
    secret = fields.pop("secret", SECRET)
    return ballot_commitment(secret, **fields)  # type: ignore[arg-type]


def test_a_commitment_is_short_hex_and_stable() -> None:
    made = commit()
    assert len(made) == COMMITMENT_HEX and int(made, 16) >= 0
    assert made == commit()


def test_every_committed_field_and_the_secret_change_it() -> None:
    base = commit()
    for change in (
        {"choice": "no"},
        {"choice": "abstain"},
        {"household_id": 43},
        {"ballot_id": 8},
        {"motion_id": 2},
        {"cast_at": AT + timedelta(microseconds=1)},
        {"secret": new_secret()},
    ):
        assert commit(**change) != base, change


def test_cast_time_is_canonical_across_time_zones() -> None:
    shanghai = AT.astimezone(timezone(timedelta(hours=8)))
    assert canonical_time(shanghai) == "2026-12-04T08:00:00.123456Z"
    assert commit(cast_at=shanghai) == commit()


@given(st.permutations([(1, "A", 8000), (2, "A", 9000), (3, "", 6050)]))
def test_the_roll_digest_ignores_order_but_not_areas(roll: list[tuple[int, str, int]]) -> None:
    digest = roll_digest(SECRET, 1, roll)
    assert digest == roll_digest(SECRET, 1, sorted(roll))
    assert digest != roll_digest(SECRET, 1, [(1, "A", 8000), (2, "A", 9000), (3, "", 6051)])


def test_the_ballots_digest_depends_on_every_commitment_and_their_order() -> None:
    assert ballots_digest(["a", "b"]) != ballots_digest(["b", "a"])
    assert ballots_digest(["a", "b"]) != ballots_digest(["a"])
