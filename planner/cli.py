"""The ``planner`` command: serve, demo, migrate, token, audit, recount, recount-choice,
backup, restore, ocds (argument parsing only)."""

from __future__ import annotations

import argparse
import os
import sys

from planner.settings import settings_from_env


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
        if name == "serve":
            p.add_argument(
                "--workers",
                type=int,
                default=1,
                help="processes sharing the socket, the database and the doorbell",
            )
            p.add_argument("--worker-fd", type=int, default=None, help=argparse.SUPPRESS)
        if name == "demo":
            p.add_argument(
                "--reset", action="store_true", help="delete the demo data and load it again"
            )
    sub.add_parser("migrate", help="apply database migrations and exit")
    token = sub.add_parser("token", help="print the admin token")
    token.add_argument("--admin", action="store_true", required=True)
    token.add_argument("--rotate", action="store_true", help="replace the admin token")
    audit = sub.add_parser(
        "audit", help="check the event hash chain and recount every motion from it"
    )
    audit.add_argument("action", choices=["verify"])
    audit.add_argument(
        "--expect-head",
        action="append",
        default=[],
        metavar="HASH",
        help="a chain head printed earlier (minutes, receipts); fail unless it is in the chain",
    )
    recount = sub.add_parser(
        "recount",
        help="recount a consultation's downloaded record (JSON or CSV) offline, no database",
    )
    recount.add_argument("file", help="the record, from GET /api/consultations/{id}/record")
    recount.add_argument(
        "--expect-digest",
        default=None,
        metavar="DIGEST",
        help="the record digest the consultation published; fail unless the file has it",
    )
    recount_choice = sub.add_parser(
        "recount-choice",
        help="recount a choice round's downloaded record (JSON) with pabutools, no database",
    )
    recount_choice.add_argument("file", help="the record, from GET /api/choice-rounds/{id}/record")
    backup = sub.add_parser("backup", help="dump the database to FILE (pg_dump -Fc)")
    backup.add_argument("file", help="where to write the backup")
    restore = sub.add_parser(
        "restore", help="replace the database's contents with FILE's (stop the service first)"
    )
    restore.add_argument("file", help="a backup from `planner backup`")
    restore.add_argument(
        "--force", action="store_true", help="restore even while other sessions use the database"
    )
    ocds = sub.add_parser(
        "ocds",
        help="export the OCDS 1.1 release package (all estates by default) to FILE or stdout",
    )
    ocds.add_argument("--estate", type=int, default=None, metavar="ID", help="one estate's works")
    ocds.add_argument("--work", type=int, default=None, metavar="ID", help="one work's releases")
    ocds.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE")
    args = parser.parse_args(argv)
    if getattr(args, "workers", 1) < 1:
        parser.error("--workers must be at least 1")
    if args.command == "recount-choice":  # pure: no settings, no database
        from pathlib import Path

        from planner.choice.record import recount_command as recount_choice_command

        sys.exit(recount_choice_command(Path(args.file).read_bytes(), sys.stdout, sys.stderr))
    if args.command == "recount":  # pure: no settings, no database
        from pathlib import Path

        from planner.consultation.recount import recount_command

        with Path(args.file).open("rb") as file:
            data = file.read()
        sys.exit(recount_command(data, args.expect_digest, sys.stdout, sys.stderr))

    os.environ.setdefault("XDG_RUNTIME_DIR", _runtime_dir())
    settings = settings_from_env(host=getattr(args, "host", None), port=getattr(args, "port", None))
    # Imported per command: `planner migrate` and `planner token` need no web framework.
    if args.command == "serve" and args.worker_fd is not None:  # one of --workers N
        import socket

        from planner.app import serve
        from planner.runtime import announce

        shared = socket.socket(fileno=args.worker_fd)
        serve(settings, after_start=announce(settings, worker=True), sock=shared)
    elif args.command == "serve" and args.workers > 1:
        from planner.ops.workers import run_workers

        sys.exit(run_workers(settings, args.workers))
    elif args.command == "serve":
        from planner.app import serve
        from planner.runtime import announce

        serve(settings, after_start=announce(settings))
    elif args.command == "demo":
        from planner.app import serve
        from planner.demo.command import demo_after_start

        serve(settings, after_start=demo_after_start(settings, reset=args.reset))
    elif args.command == "migrate":
        from planner.runtime import migrate_command

        migrate_command(settings)
    elif args.command == "token":
        from planner.access.bootstrap import token_command

        sys.exit(token_command(settings, rotate=args.rotate))
    elif args.command in ("backup", "restore"):
        from pathlib import Path

        from planner.ops.backup import backup_command, restore_command

        dump = Path(args.file)
        if args.command == "backup":
            sys.exit(backup_command(settings, dump))
        sys.exit(restore_command(settings, dump, force=args.force))
    elif args.command == "audit":
        from planner.live.audit import verify_command

        sys.exit(verify_command(settings, args.expect_head))
    elif args.command == "ocds":
        from pathlib import Path

        from planner.ocds.command import export_command

        out = Path(args.output) if args.output else None
        sys.exit(export_command(settings, args.estate, args.work, out))


def _runtime_dir() -> str:
    from planner.db.embedded import _runtime_dir as make

    return make()


if __name__ == "__main__":
    main()
