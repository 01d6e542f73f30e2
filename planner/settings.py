"""Service settings, read once from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import msgspec
import platformdirs


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Where the data lives and how the service listens.

    With no ``database_url`` the service starts an embedded PostgreSQL under
    ``data_dir / "pg"`` and stops it on exit.
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
