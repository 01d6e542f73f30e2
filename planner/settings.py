"""Service settings, read once from the environment."""

from __future__ import annotations

import os
from pathlib import Path

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


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Where the data lives and how the service listens.

    With no ``database_url`` the service starts an embedded PostgreSQL under
    ``data_dir / "pg"`` and stops it on exit. ``live`` not given is read from the
    ``PLANNER_LIVE_*`` variables when the settings are made (so settings built in code, as
    the tests do, honour them too), and not again.
    """

    database_url: str | None = None
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
    values.update({k: v for k, v in overrides.items() if v is not None})
    return msgspec.convert(values, Settings, strict=False)
