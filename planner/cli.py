"""The ``planner`` command: serve, demo, migrate, token."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from planner.runtime import announce, print_lines, with_database
from planner.settings import Settings, settings_from_env


def _serve(settings: Settings, after_start: Callable[[Any], Awaitable[None]] | None = None) -> None:
    import uvicorn

    from planner.app import create_app
    from planner.live.connection import server_entry

    app = create_app(settings, after_start=after_start or announce(settings))
    # Requests allocate many short-lived objects: with the default gen-0 threshold (700) the
    # cyclic collector ran every request or two and took about a tenth of the CPU of a
    # ballot cast (py-spy, bench/vote_storm.py). Collect less often, and never rescan the
    # modules, routes and schemas built at start-up.
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    uvicorn.run(
        server_entry(app),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        # protocol pings find script clients that vanished without closing; browsers also
        # ping at the application level (planner.live)
        ws_ping_interval=20,
        ws_ping_timeout=20,
        # per-frame compression for every client cost about a fifth of fan-out CPU
        ws_per_message_deflate=False,
        # client frames are small JSON (planner.live.frames); refuse megabytes at the door
        ws_max_size=65_536,
        # the sans-I/O websockets protocol: about a quarter of the per-frame cost of the
        # legacy one, which set the fan-out p99 (docs/benchmarks.md, 2026-11-26 17:33)
        ws="websockets-sansio",
        lifespan="on",
    )


def cmd_migrate(settings: Settings) -> None:
    from planner.db.migrate import migrate
    from planner.db.pool import connect_raw

    async def work(url: str) -> None:
        conn = await connect_raw(url)
        try:
            applied = await migrate(conn)
        finally:
            await conn.close()
        print_lines(f"applied: {', '.join(applied) or 'nothing (up to date)'}")

    with_database(settings, work)


def cmd_token(settings: Settings, rotate: bool) -> None:
    from planner.access.bootstrap import ensure_admin, saved_admin_token
    from planner.db.migrate import migrate
    from planner.db.pool import connect_raw

    async def work(url: str) -> None:
        conn = await connect_raw(url)
        try:
            await migrate(conn)
            await ensure_admin(conn, settings.data_dir, rotate=rotate)
            token = await saved_admin_token(conn, settings.data_dir)
        finally:
            await conn.close()
        if token is None:
            print(
                "planner: this data folder holds no working admin token (the admin was made "
                "elsewhere); `planner token --admin --rotate` makes a new one",
                file=sys.stderr,
            )
            raise SystemExit(1)
        print_lines(token)

    with_database(settings, work)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="planner", description="Gongshang (共商) planner")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("serve", "run the service"),
        ("demo", "run the service with the demo estate and sign-in links"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--host", default=None)
        p.add_argument("--port", type=int, default=None)
        if name == "demo":
            p.add_argument(
                "--reset", action="store_true", help="delete the demo data and load it again"
            )
    sub.add_parser("migrate", help="apply database migrations and exit")
    token = sub.add_parser("token", help="print the admin token")
    token.add_argument("--admin", action="store_true", required=True)
    token.add_argument("--rotate", action="store_true", help="replace the admin token")
    audit = sub.add_parser("audit", help="check the event hash chain")
    audit.add_argument("action", choices=["verify"])
    args = parser.parse_args(argv)

    os.environ.setdefault("XDG_RUNTIME_DIR", _runtime_dir())
    settings = settings_from_env(host=getattr(args, "host", None), port=getattr(args, "port", None))
    if args.command == "serve":
        _serve(settings)
    elif args.command == "demo":
        from planner.demo.command import demo_after_start

        _serve(settings, after_start=demo_after_start(settings, reset=args.reset))
    elif args.command == "migrate":
        cmd_migrate(settings)
    elif args.command == "token":
        cmd_token(settings, rotate=args.rotate)
    elif args.command == "audit":
        from planner.live.audit import verify_command

        sys.exit(verify_command(settings))


def _runtime_dir() -> str:
    from planner.db.embedded import _runtime_dir as make

    return make()


if __name__ == "__main__":
    main()
