"""The pure parts of planner.ops: request ids, solve times into the current app's metrics,
and the gauges copied from the pool and the hub."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from planner.ops.logs import new_request_id, valid_request_id
from planner.ops.metrics import Metrics, current, observe_solve

SAFE = set(string.ascii_letters + string.digits + "._:-")


@given(st.text(max_size=80))
def test_an_accepted_request_id_is_short_and_safe(value: str) -> None:
    kept = valid_request_id(value)
    if kept is not None:
        assert kept == value and 1 <= len(kept) <= 64 and set(kept) <= SAFE
    else:
        assert not value or len(value) > 64 or not set(value) <= SAFE


def test_new_request_ids_are_valid_and_distinct() -> None:
    made = [new_request_id() for _ in range(1000)]
    assert len(set(made)) == 1000
    assert all(valid_request_id(i) == i for i in made)
    assert valid_request_id("abc\n") is None and valid_request_id(None) is None


def _value(metrics: Metrics, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(metrics.render().decode()):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return None


def test_solve_times_go_to_the_current_apps_metrics_only() -> None:
    mine, other = Metrics(), Metrics()
    observe_solve(0.5, "ok")  # outside any request: nowhere
    token = current.set(mine)
    try:
        observe_solve(0.2, "ok")
        observe_solve(3.0, "timeout")
    finally:
        current.reset(token)
    assert _value(mine, "planner_funding_solve_seconds_count", outcome="ok") == 1
    assert _value(mine, "planner_funding_solve_seconds_sum", outcome="timeout") == 3.0
    assert _value(other, "planner_funding_solve_seconds_count", outcome="ok") is None


class Pool:
    def get_size(self) -> int:
        return 7

    def get_idle_size(self) -> int:
        return 3

    def get_max_size(self) -> int:
        return 10


class Hub:
    def __init__(self) -> None:
        self.dropped_too_slow = 0
        self.sockets = 0

    def __len__(self) -> int:
        return self.sockets


def test_pool_and_hub_figures_at_scrape_time() -> None:
    metrics, hub = Metrics(), Hub()
    assert _value(metrics, "planner_live_sockets_open") == 0  # before the app started
    metrics.pool = Pool
    metrics.hub = lambda: hub
    hub.sockets, hub.dropped_too_slow = 5, 2
    assert _value(metrics, "planner_db_pool_connections", state="in_use") == 4
    assert _value(metrics, "planner_db_pool_connections", state="idle") == 3
    assert _value(metrics, "planner_db_pool_max_connections") == 10
    assert _value(metrics, "planner_live_sockets_open") == 5
    assert _value(metrics, "planner_live_socket_overflows_total") == 2
    hub.dropped_too_slow = 3
    assert _value(metrics, "planner_live_socket_overflows_total") == 3  # counted once each
    assert _value(metrics, "planner_live_socket_overflows_total") == 3


class Ledger:
    def __init__(self) -> None:
        self.open: dict[int, object] = {1: "a", 2: "b"}
        self.counts: dict[str, int] = {"admit": 5, "refused_503": 1}


def test_connection_guard_counts_once_each() -> None:
    metrics, ledger = Metrics(), Ledger()
    metrics.ledger = ledger
    assert _value(metrics, "planner_connections_open") == 2
    assert _value(metrics, "planner_connections_total", outcome="admit") == 5
    ledger.counts["admit"] = 8
    ledger.counts["head_timeout"] = 2
    assert _value(metrics, "planner_connections_total", outcome="admit") == 8
    assert _value(metrics, "planner_connections_total", outcome="head_timeout") == 2
    assert _value(metrics, "planner_connections_total", outcome="refused_503") == 1
