"""The service's Prometheus metrics: one registry per app (tests run several apps in one
process), the families, and what fills them.

- requests by method, route template (``/api/works/{work_id:int}``, never the raw path) and
  status, with a latency histogram (``planner.ops.observe.RequestObserver``);
- open live sockets and socket queue overflows, read from the live hub at scrape time;
- event lag: the doorbell (a NOTIFY, or the safety poll) to the events' publication to this
  instance's sockets (``planner.live.feed``);
- funding solve times (``observe_solve``: the solver's wall time, by outcome);
- the database pool: connections open, in use, and the maximum, read at scrape time.

Whatever is read at scrape time comes from ``sources``: callables the app registers
(``watch_pool``, ``watch_live``), so this module imports no slice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

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


class HubLike(Protocol):
    dropped_too_slow: int

    def __len__(self) -> int: ...


class _ScrapeTime(Collector):
    """Families read when scraped: the pool and the live hub."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def describe(self) -> Iterator[Metric]:  # fixed families, even before the app starts
        yield from self._families(None, None)

    def collect(self) -> Iterator[Metric]:
        pool = self.metrics.pool() if self.metrics.pool is not None else None
        hub = self.metrics.hub() if self.metrics.hub is not None else None
        yield from self._families(pool, hub)

    @staticmethod
    def _families(pool: PoolLike | None, hub: HubLike | None) -> Iterator[Metric]:
        size = GaugeMetricFamily(
            "planner_db_pool_connections", "database pool connections open", labels=["state"]
        )
        maximum = GaugeMetricFamily(
            "planner_db_pool_max_connections", "database pool's maximum size"
        )
        if pool is not None:
            idle = pool.get_idle_size()
            size.add_metric(["in_use"], pool.get_size() - idle)
            size.add_metric(["idle"], idle)
            maximum.add_metric([], pool.get_max_size())
        yield size
        yield maximum
        sockets = GaugeMetricFamily("planner_live_sockets_open", "live sockets open")
        overflows = CounterMetricFamily(
            "planner_live_socket_overflows",
            "live sockets closed because their queue overflowed (too slow, 4008)",
        )
        sockets.add_metric([], len(hub) if hub is not None else 0)
        overflows.add_metric([], hub.dropped_too_slow if hub is not None else 0)
        yield sockets
        yield overflows


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
        self.registry.register(_ScrapeTime(self))
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

    def render(self) -> bytes:
        return generate_latest(self.registry)


def observe_solve(seconds: float, outcome: str) -> None:
    """A funding solve took ``seconds`` (outcome: ok, infeasible, timeout, ...); counted in
    the metrics of the app serving the current request, if any."""
    metrics = current.get()
    if metrics is not None:
        metrics.solve_seconds.labels(outcome).observe(seconds)
