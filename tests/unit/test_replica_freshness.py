"""``planner.db.replica.as_of``: how current a server's data is, from its replay position."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.db.replica import as_of
from planner.db.store import Position
from planner.settings import settings_from_env

NOW = datetime(2026, 12, 4, 22, 0, tzinfo=UTC)
CHECKPOINT = NOW - timedelta(hours=1)


def standby(**given: object) -> Position:
    values: dict[str, object] = {"now": NOW, "standby": True, "checkpoint_at": CHECKPOINT}
    values.update(given)
    return Position(**values)  # type: ignore[arg-type]


def test_the_primary_is_current() -> None:
    assert as_of(Position(now=NOW, standby=False, checkpoint_at=CHECKPOINT)) == NOW


def test_a_standby_streaming_with_nothing_left_to_replay_is_current() -> None:
    """An idle primary: the last commit may be hours old, the data is not."""
    old = NOW - timedelta(hours=3)
    assert as_of(standby(replayed_at=old, caught_up=True, receiving=True)) == NOW


def test_a_standby_behind_is_as_of_its_last_replayed_commit() -> None:
    last = NOW - timedelta(seconds=7)
    heard = NOW - timedelta(seconds=1)
    fresh = standby(replayed_at=last, caught_up=False, receiving=True, heard_at=heard)
    assert as_of(fresh) == last


def test_a_standby_cut_off_is_as_of_the_last_word_from_its_primary() -> None:
    last = NOW - timedelta(minutes=5)
    heard = NOW - timedelta(seconds=40)
    cut = standby(replayed_at=last, caught_up=True, receiving=False, heard_at=heard)
    assert as_of(cut) == heard
    assert as_of(standby(replayed_at=last, caught_up=True, receiving=False)) == last


def test_a_standby_with_nothing_replayed_is_as_of_its_restart_point() -> None:
    assert as_of(standby(caught_up=False, receiving=False)) == CHECKPOINT


moments = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=2))


@given(
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.none() | moments,
    st.none() | moments,
)
def test_never_later_than_the_clock(
    is_standby: bool,
    caught_up: bool,
    receiving: bool,
    replayed_ago: timedelta | None,
    heard_ago: timedelta | None,
) -> None:
    position = Position(
        now=NOW,
        standby=is_standby,
        checkpoint_at=CHECKPOINT,
        replayed_at=None if replayed_ago is None else NOW - replayed_ago,
        caught_up=caught_up,
        receiving=receiving,
        heard_at=None if heard_ago is None else NOW - heard_ago,
    )
    moment = as_of(position)
    assert moment <= NOW
    if replayed_ago is not None and is_standby:
        assert moment >= NOW - replayed_ago  # never older than what it has replayed


def test_the_replica_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    assert settings_from_env().database_replica_url is None
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgresql://reader@standby/planner")
    assert settings_from_env().database_replica_url == "postgresql://reader@standby/planner"
