"""Service settings, read once from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import msgspec
import platformdirs


class LiveSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Timings of the live service (``PLANNER_LIVE_HEARTBEAT_S``, ``_QUEUE_SIZE``, ``_POLL_S``).

    ``heartbeat_s``: the server sends a heartbeat frame after this long without traffic,
    browsers ping at this rate, and presence rows are refreshed at this rate.
    ``presence_window_s`` (3 heartbeats): a room member not heard of for this long is
    gone, whether its socket, its phone or its whole instance died.
    ``queue_size``: events one subscriber may lag behind before it is dropped.
    """

    heartbeat_s: float = 15.0
    queue_size: int = 512
    poll_interval_s: float = 2.0

    @property
    def presence_window_s(self) -> float:
        return 3 * self.heartbeat_s


def live_settings_from_env() -> LiveSettings:
    """The live timings from ``PLANNER_LIVE_*`` (defaults for those not set)."""
    env = os.environ
    values: dict[str, str] = {}
    for name, variable in (
        ("heartbeat_s", "PLANNER_LIVE_HEARTBEAT_S"),
        ("queue_size", "PLANNER_LIVE_QUEUE_SIZE"),
        ("poll_interval_s", "PLANNER_LIVE_POLL_S"),
    ):
        if env.get(variable):
            values[name] = env[variable]
    return msgspec.convert(values, LiveSettings, strict=False)


class ConnectionLimits(msgspec.Struct, frozen=True, kw_only=True):
    """What one client (and all of them) may hold of the server (``planner.connections``).

    ``header_timeout_s`` (``PLANNER_HEADER_TIMEOUT_S``): a request head (request line and
    headers) not complete this long after its first byte, or after the connection opened, is
    dropped. ``body_timeout_s`` (``PLANNER_BODY_TIMEOUT_S``): a body that sends nothing for
    this long is answered 408 and dropped. ``keep_alive_s`` (``PLANNER_KEEP_ALIVE_S``) and
    ``keep_alive_requests`` (``PLANNER_KEEP_ALIVE_REQUESTS``): an idle connection is closed
    after this long, and any after this many requests. ``per_client``
    (``PLANNER_MAX_CONNECTIONS_PER_CLIENT``): open connections (WebSockets included) from one
    address, trusted proxies excepted; ``total`` (``PLANNER_MAX_CONNECTIONS``): from everyone,
    lowered at start to the open-files limit less ``files_reserve``
    (``PLANNER_FILES_RESERVE``). Beyond a cap a request is answered 503 with Retry-After
    (``/health`` is still answered beyond the total); beyond the cap plus half the reserve a
    connection is closed at once; the other half stays for the pool, logs and static files.
    """

    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    keep_alive_s: float = 5.0
    keep_alive_requests: int = 1000
    # A meeting hall behind one NAT: 500 owners' phones, a socket and a request or two each.
    per_client: int = 1024
    total: int = 16_384
    files_reserve: int = 256


class AuthLimits(msgspec.Struct, frozen=True, kw_only=True):
    """Failed sign-ins and wrong bearer tokens (``planner.access``).

    More than ``failures_per_client`` (``PLANNER_AUTH_FAILURES_PER_CLIENT``) from one client
    address, or ``failures_global`` (``PLANNER_AUTH_FAILURES_GLOBAL``) from everyone, within
    ``window_s`` (``PLANNER_AUTH_FAILURE_WINDOW_S``): a wrong token is answered 429 with
    Retry-After. Only failures count, and a right token is always let in.
    """

    failures_per_client: int = 20
    failures_global: int = 300
    window_s: int = 60


_ENV_LIMITS: dict[str, tuple[str, str]] = {
    "PLANNER_HEADER_TIMEOUT_S": ("connections", "header_timeout_s"),
    "PLANNER_BODY_TIMEOUT_S": ("connections", "body_timeout_s"),
    "PLANNER_KEEP_ALIVE_S": ("connections", "keep_alive_s"),
    "PLANNER_KEEP_ALIVE_REQUESTS": ("connections", "keep_alive_requests"),
    "PLANNER_MAX_CONNECTIONS_PER_CLIENT": ("connections", "per_client"),
    "PLANNER_MAX_CONNECTIONS": ("connections", "total"),
    "PLANNER_FILES_RESERVE": ("connections", "files_reserve"),
    "PLANNER_AUTH_FAILURES_PER_CLIENT": ("auth", "failures_per_client"),
    "PLANNER_AUTH_FAILURES_GLOBAL": ("auth", "failures_global"),
    "PLANNER_AUTH_FAILURE_WINDOW_S": ("auth", "window_s"),
}


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Where the data lives and how the service listens.

    With no ``database_url`` the service starts an embedded PostgreSQL under
    ``data_dir / "pg"`` and stops it on exit. ``live`` not given is read from the
    ``PLANNER_LIVE_*`` variables when the settings are made (so settings built in code, as
    the tests do, honour them too), and not again.
    """

    database_url: str | None = None
    #: a streaming standby of ``database_url`` for reads that may lag (the district view);
    #: ``DATABASE_REPLICA_URL``, None: those reads go to the primary (``planner.db.replica``)
    database_replica_url: str | None = None
    #: a replica further behind than this many seconds is passed over for the primary
    #: (``PLANNER_REPLICA_MAX_LAG_S``; the answer then says ``read_from: primary``)
    replica_max_lag_s: float = 60.0
    data_dir: Path = Path(platformdirs.user_data_dir("planner"))
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    pool_min_size: int = 2
    pool_max_size: int = 10
    max_body_bytes: int = 1_048_576
    max_import_bytes: int = 8_388_608
    cookie_secure: bool = False
    solver_time_limit_s: float = 30.0
    live: LiveSettings = msgspec.field(default_factory=live_settings_from_env)
    connections: ConnectionLimits = ConnectionLimits()
    auth: AuthLimits = AuthLimits()
    #: peers (IPs or CIDR networks) whose X-Forwarded-For / X-Forwarded-Proto are believed
    #: (``PLANNER_TRUSTED_PROXIES``, comma-separated; default none: the peer is the client)
    trusted_proxies: tuple[str, ...] = ()
    #: ``/metrics`` answers only with ``Authorization: Bearer <this>`` when set
    #: (``PLANNER_METRICS_TOKEN``; default: open, like ``/health``)
    metrics_token: str | None = None
    #: "text" (default) or "json": one JSON object per log line (``PLANNER_LOG_FORMAT``)
    log_format: Literal["text", "json"] = "text"
    #: on SIGTERM, requests in flight get this long to finish (``PLANNER_SHUTDOWN_TIMEOUT_S``)
    shutdown_timeout_s: float = 30.0
    #: the OCDS ``ocid`` prefix (``PLANNER_OCDS_PREFIX``): every work's ocid is
    #: ``{ocds_prefix}-w{work_id}`` (docs/ocds.md); register a prefix with the OCDS helpdesk
    #: before publishing outside the estates
    ocds_prefix: str = "ocds-gongsh"

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"


def settings_from_env(**overrides: object) -> Settings:
    """Build settings from ``DATABASE_URL``, ``PLANNER_*`` variables and explicit overrides."""
    env = os.environ
    values: dict[str, object] = {}
    if env.get("DATABASE_URL"):
        values["database_url"] = env["DATABASE_URL"]
    if env.get("DATABASE_REPLICA_URL"):
        values["database_replica_url"] = env["DATABASE_REPLICA_URL"]
    if env.get("PLANNER_DATA_DIR"):
        values["data_dir"] = Path(env["PLANNER_DATA_DIR"])
    if env.get("PLANNER_HOST"):
        values["host"] = env["PLANNER_HOST"]
    if env.get("PLANNER_PORT"):
        values["port"] = int(env["PLANNER_PORT"])
    if env.get("PLANNER_PUBLIC_URL"):
        values["public_url"] = env["PLANNER_PUBLIC_URL"]
    if env.get("PLANNER_COOKIE_SECURE"):
        values["cookie_secure"] = env["PLANNER_COOKIE_SECURE"] in ("1", "true", "yes")
    if env.get("PLANNER_TRUSTED_PROXIES"):
        proxies = env["PLANNER_TRUSTED_PROXIES"].split(",")
        values["trusted_proxies"] = tuple(p.strip() for p in proxies if p.strip())
    for variable, name in (
        ("PLANNER_METRICS_TOKEN", "metrics_token"),
        ("PLANNER_LOG_FORMAT", "log_format"),
        ("PLANNER_SHUTDOWN_TIMEOUT_S", "shutdown_timeout_s"),
        ("PLANNER_REPLICA_MAX_LAG_S", "replica_max_lag_s"),
    ):
        if env.get(variable):
            values[name] = env[variable]
    if env.get("PLANNER_OCDS_PREFIX"):
        values["ocds_prefix"] = env["PLANNER_OCDS_PREFIX"]
    limits: dict[str, dict[str, str]] = {"connections": {}, "auth": {}}
    for variable, (group, name) in _ENV_LIMITS.items():
        if env.get(variable):
            limits[group][name] = env[variable]
    values.update({group: given for group, given in limits.items() if given})
    values.update({k: v for k, v in overrides.items() if v is not None})
    return msgspec.convert(values, Settings, strict=False)
