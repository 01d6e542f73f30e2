"""Fan-out across two instances: 500 clients on each, events committed once, p50/p99 delay.

    uv run python bench/fanout_two_instances.py            # 2 x 500 clients, 100 events
    uv run python bench/fanout_two_instances.py --write    # also append to docs/benchmarks.md

Same method as ``bench/fanout.py`` (read its docstring): two ``planner serve`` processes on one
PostgreSQL, clients spread evenly over them, each event reaches the second instance only
through its own LISTEN doorbell and catch-up read. The floor is one bare ``websockets``
broadcast server feeding all the clients. Target: p99 <= 150 ms.
"""

from __future__ import annotations

from fanout import parse_args, run


def main() -> None:
    args = parse_args(default_instances=2)
    run(
        "Fan-out, two instances",
        "uv run python bench/fanout_two_instances.py",
        args,
        target_p99=150,
    )


if __name__ == "__main__":
    main()
