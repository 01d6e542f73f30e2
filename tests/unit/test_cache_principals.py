"""The principal cache (planner.access.cache): bounded, expiring, emptied by the doorbell,
and never storing an answer read before an invalidation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from planner.access.cache import PrincipalCache, session_key, token_key
from planner.access.model import Principal


def principal(member_id: int, **extra: object) -> Principal:
    return Principal(
        member_id=member_id,
        estate_id=1,
        role="owner",
        display_name="甲",
        **extra,  # type: ignore[arg-type]
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def listening_cache(**kwargs: object) -> PrincipalCache:
    cache = PrincipalCache(**kwargs)  # type: ignore[arg-type]
    cache.listening(True)
    return cache


def test_nothing_is_kept_or_served_while_the_doorbell_is_down() -> None:
    cache = PrincipalCache()
    cache.put(token_key(b"a"), principal(1), cache.generation)
    assert cache.get(token_key(b"a")) is None and len(cache) == 0
    cache.listening(True)
    cache.put(token_key(b"a"), principal(1), cache.generation)
    assert cache.get(token_key(b"a")) == principal(1)
    cache.listening(False)
    assert len(cache) == 0 and cache.get(token_key(b"a")) is None
    cache.listening(True)
    assert cache.get(token_key(b"a")) is None  # back, but empty: it may have missed a bell


def test_a_member_bell_forgets_every_credential_of_that_member_only() -> None:
    cache = listening_cache()
    cache.put(token_key(b"a"), principal(1), cache.generation)
    cache.put(session_key(b"s"), principal(1, session_hash=b"s"), cache.generation)
    cache.put(token_key(b"b"), principal(2), cache.generation)
    assert cache.on_notify("member:1")
    assert cache.get(token_key(b"a")) is None and cache.get(session_key(b"s")) is None
    assert cache.get(token_key(b"b")) == principal(2)
    assert cache.on_notify("session:" + b"x".hex())
    assert cache.get(token_key(b"b")) == principal(2)


def test_a_session_bell_and_a_malformed_one() -> None:
    cache = listening_cache()
    cache.put(session_key(b"s"), principal(1, session_hash=b"s"), cache.generation)
    cache.put(token_key(b"b"), principal(2), cache.generation)
    assert cache.on_notify("session:" + b"s".hex())
    assert cache.get(session_key(b"s")) is None and cache.get(token_key(b"b")) is not None
    assert not cache.on_notify("member:x")  # unreadable: forget everything
    assert len(cache) == 0


def test_an_answer_read_before_a_bell_is_not_stored() -> None:
    cache = listening_cache()
    began = cache.generation
    cache.on_notify("member:1")  # rang while the lookup was at the database
    cache.put(token_key(b"a"), principal(1), began)
    assert cache.get(token_key(b"a")) is None


def test_entries_expire_and_so_do_sessions() -> None:
    clock = Clock()
    cache = listening_cache(ttl_s=10.0, clock=clock)
    cache.put(token_key(b"a"), principal(1), cache.generation)
    clock.now = 9.0
    assert cache.get(token_key(b"a")) is not None
    clock.now = 10.5
    assert cache.get(token_key(b"a")) is None and len(cache) == 0
    ended = datetime.now(UTC) - timedelta(seconds=1)
    cache.put(session_key(b"s"), principal(1, session_expires_at=ended), cache.generation)
    assert cache.get(session_key(b"s")) is None


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 5)), max_size=200))
def test_the_cache_stays_within_its_bound_and_its_index_matches(
    puts: list[tuple[int, int]],
) -> None:
    cache = listening_cache(max_entries=8)
    for key, member_id in puts:
        cache.put(token_key(bytes([key])), principal(member_id), cache.generation)
        assert len(cache) <= 8
    indexed = {k for keys in cache._by_member.values() for k in keys}
    assert indexed == set(cache._entries)
    for key, (_, p) in cache._entries.items():
        assert key in cache._by_member[p.member_id]
