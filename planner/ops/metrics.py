"""The service's Prometheus metrics: one registry per app (tests run several apps in one
process), the families, and what fills them.

- requests by method, route template (``/api/works/{work_id:int}``, never the raw path) and
  status, with a latency histogram (``planner.ops.observe.RequestObserver``);
- open live sockets and socket queue overflows, read from the live hub at scrape time;
- event lag: the doorbell (a NOTIFY, or the safety poll) to the events' publication to this
  instance's sockets (``planner.live.feed``);
- funding solve times (``observe_solve``: the solver's wall time, by outcome);
- the database pool: connections open, in use, and the maximum, read at scrape time;
- with a read replica, whether reads go to it and its lag, measured at scrape time.

The pool and the hub are read through callables the app sets (``pool``, ``hub``), so this
module imports no slice; ``refresh`` copies them into gauges when scraped.

Several workers (``planner serve --workers N``) share one ``/metrics``: the supervisor sets
``PROMETHEUS_MULTIPROC_DIR`` for them, every worker's values live in files there (the
client's multiprocess mode), the worker answering a scrape sums them (open sockets per
worker, labelled ``pid``), and each worker refreshes its gauges every second.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

#: where the workers' metric files are (set by the supervisor; see ``multiprocess_dir``)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: how often a worker copies its pool and hub figures into the shared gauges
REFRESH_S = 1.0

#: Prometheus' text format (0.0.4)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SOLVE_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

#: The metrics of the app serving the current request (set by ``RequestObserver``), for code
#: deep in a slice that has no app at hand (the funding solve).
current: ContextVar[Metrics | None] = ContextVar("planner_metrics", default=None)


class PoolLike(Protocol):
    def get_size(self) -> int: ...
    def get_idle_size(self) -> int: ...
    def get_max_size(self) -> int: ...


class LedgerLike(Protocol):
    """``planner.connections.Ledger``: open connections and what the guard did with them."""

    open: Mapping[int, object]
    counts: Mapping[str, int]


class HubLike(Protocol):
    dropped_too_slow: int

    def __len__(self) -> int: ...


class Metrics:
    """One app's registry and families (``app.state.metrics``)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.pool: Callable[[], PoolLike] | None = None
        self.hub: Callable[[], HubLike | None] | None = None
        self.requests = Counter(
            "planner_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "planner_http_request_duration_seconds",
            "HTTP request time from the request head to the last byte, by route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.event_lag = Histogram(
            "planner_live_event_lag_seconds",
            "from the doorbell (NOTIFY or poll) to the events' publication to this "
            "instance's sockets",
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        self.solve_seconds = Histogram(
            "planner_funding_solve_seconds",
            "funding plan solves (and previews): the solver's wall time, by outcome",
            ["outcome"],
            buckets=SOLVE_BUCKETS,
            registry=self.registry,
        )
        self.sockets_open = Gauge(
            "planner_live_sockets_open",
            "live sockets subscribed on this instance (per worker: pid)",
            registry=self.registry,
            multiprocess_mode="liveall",
        )
        self.socket_overflows = Counter(
            "planner_live_socket_overflows",
            "live sockets closed because their queue overflowed (too slow, 4008)",
            registry=self.registry,
        )
        self.pool_connections = Gauge(
            "planner_db_pool_connections",
            "database pool connections open, by state",
            ["state"],
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.pool_max = Gauge(
            "planner_db_pool_max_connections",
            "database pools' maximum size",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.replica_up = Gauge(
            "planner_db_replica_up",
            "1 while the read replica (DATABASE_REPLICA_URL) answers and is within "
            "PLANNER_REPLICA_MAX_LAG_S, 0 while its reads go to the primary",
            registry=self.registry,
            multiprocess_mode="livemin",
        )
        self.replica_lag = Gauge(
            "planner_db_replica_lag_seconds",
            "how far the read replica's data is behind, measured at the scrape",
            registry=self.registry,
            multiprocess_mode="livemax",
        )
        self._overflows_seen = 0
        #: the connection guard of ``planner serve`` (none in-process)
        self.ledger: LedgerLike | None = None
        self.connections_open = Gauge(
            "planner_connections_open",
            "HTTP and WebSocket connections open (planner serve's connection guard)",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.connection_outcomes = Counter(
            "planner_connections",
            "connections by what the guard did: admit, refuse (answered 503 at a cap), drop "
            "(closed unanswered), refused_503, head_timeout, body_timeout",
            ["outcome"],
            registry=self.registry,
        )
        self._outcomes_seen: dict[str, int] = {}
        # label children by key: ``labels()`` costs more than the observation itself
        self._request_children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._request_children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._request_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def observe_replica(self, lag_s: float | None, usable: bool) -> None:
        """The read replica as found at a scrape: its lag (None: away) and whether reads go
        to it."""
        self.replica_up.set(1 if usable else 0)
        if lag_s is not None:
            self.replica_lag.set(lag_s)

    def refresh(self) -> None:
        """Copy the pool's and the hub's figures into the gauges (and the overflow count)."""
        pool = self.pool() if self.pool is not None else None
        if pool is not None:
            idle = pool.get_idle_size()
            self.pool_connections.labels("in_use").set(pool.get_size() - idle)
            self.pool_connections.labels("idle").set(idle)
            self.pool_max.set(pool.get_max_size())
        hub = self.hub() if self.hub is not None else None
        self.sockets_open.set(len(hub) if hub is not None else 0)
        dropped = hub.dropped_too_slow if hub is not None else 0
        if dropped > self._overflows_seen:
            self.socket_overflows.inc(dropped - self._overflows_seen)
        self._overflows_seen = dropped
        if self.ledger is not None:
            self.connections_open.set(len(self.ledger.open))
            for outcome, count in list(self.ledger.counts.items()):
                seen = self._outcomes_seen.get(outcome, 0)
                if count > seen:
                    self.connection_outcomes.labels(outcome).inc(count - seen)
                    self._outcomes_seen[outcome] = count

    def render(self) -> bytes:
        """The text answer: this process's registry, or every worker's summed."""
        self.refresh()
        path = multiprocess_dir()
        if path is None:
            return generate_latest(self.registry)
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path)  # type: ignore[no-untyped-call]
        return generate_latest(merged)

    async def refresh_forever(self) -> None:
        """In a worker: keep the shared gauges current for scrapes another worker answers."""
        while True:
            await asyncio.sleep(REFRESH_S)
            self.refresh()


def multiprocess_dir() -> str | None:
    """The workers' shared metrics folder, when this process is one of several workers."""
    return os.environ.get(MULTIPROC_ENV) or None


def observe_solve(seconds: float, outcome: str) -> None:
    """A funding solve took ``seconds`` (outcome: ok, infeasible, timeout, ...); counted in
    the metrics of the app serving the current request, if any."""
    metrics = current.get()
    if metrics is not None:
        metrics.solve_seconds.labels(outcome).observe(seconds)
