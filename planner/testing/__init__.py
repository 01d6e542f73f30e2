"""Helpers the tests and the benchmarks share (as ``litestar.testing`` is for Litestar apps).

Dev dependencies only (httpx, uvicorn; schemathesis and hypothesis in ``fuzzing``); nothing
else in planner imports this package. What is here:

- ``service``: ``planner serve`` as a subprocess (``start_service``), the app under uvicorn
  in the caller's loop (``running_app``), ``planner audit verify`` (``audit_verify``);
- ``api``: the bearer header and a sample household register;
- ``world``: a populated service (two estates, every role, one of each thing) for the
  authorisation matrix, hostile input and fuzzing (``serve_world``);
- ``routes_spec``: a valid request for every route; ``fuzzing``: schemathesis over the
  OpenAPI document; ``voting``: an estate with owners and an open motion;
- ``standby``: a primary PostgreSQL and a streaming standby copied from it with
  ``pg_basebackup -R`` (``StandbyPair``: replica reads, ``DATABASE_REPLICA_URL``);
- ``faults`` (SIGKILL mid vote storm), ``postgres_restart`` (restarts under load),
  ``recount`` (a tally recomputed from the tables); ``store``: the SQL they run.
"""

from planner.testing.api import SAMPLE_CSV, bearer, create_estate
from planner.testing.service import (
    ROOT,
    RunningService,
    audit_verify,
    free_port,
    running_app,
    start_service,
    wait_healthy,
)
from planner.testing.world import (
    LINES,
    ROLES,
    Served,
    World,
    build_world,
    row_counts,
    serve_world,
    token_for,
)

__all__ = [
    "LINES",
    "ROLES",
    "ROOT",
    "SAMPLE_CSV",
    "RunningService",
    "Served",
    "World",
    "audit_verify",
    "bearer",
    "build_world",
    "create_estate",
    "free_port",
    "row_counts",
    "running_app",
    "serve_world",
    "start_service",
    "token_for",
    "wait_healthy",
]
