"""Fan-out over two instances, per event: the median and the latest receipt of each event,
for the clients of each instance (where ``bench/fanout_two_instances.py`` pools every pair).

    uv run python bench/fanout_per_event.py 4000 30 0.2    # clients, events, seconds apart

If an event is late by the same amount on both instances and reaches all of an instance's
sockets within a few ms, the delay is common (the one client process, the commit, CPU the
machine lacks), not per-socket work inside an instance.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

import fanout

from planner.testing import start_service


def main() -> None:
    fanout.raise_fd_limit()
    count, events, interval = (int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
    with fanout.postgres() as server_url:
        name = f"bench_fanout_{os.getpid()}"
        asyncio.run(fanout.scratch_database(server_url, name))
        url = fanout.with_database(server_url, name)
        services = []
        with tempfile.TemporaryDirectory() as d:
            env = {"PLANNER_MAX_CONNECTIONS_PER_CLIENT": str(count + 100)}
            for _ in range(2):
                services.append(start_service(url, Path(d), timeout=180, extra_env=env))
            try:
                bases = [s.base_url for s in services]
                estate_id, token = fanout.setup_estate(bases[0], services[0].admin_token)
                urls = [
                    bases[i % 2].replace("http://", "ws://")
                    + f"/ws/estates/{estate_id}?token={token}"
                    for i in range(count)
                ]
                with fanout.clients(urls, events) as pipe:
                    sent = asyncio.run(fanout.produce(url, estate_id, events, interval))
                    receipts = pipe.recv()
            finally:
                for s in services:
                    s.stop()
    for inst in (0, 1):
        row = []
        for seq, at in sorted(sent.items()):
            ds = sorted(
                (dict(r)[seq] - at) * 1000
                for i, r in enumerate(receipts)
                if i % 2 == inst and seq in dict(r)
            )
            row.append(f"{ds[len(ds) // 2]:.0f}/{ds[-1]:.0f}")
        print(f"instance {inst}: p50/max per event:", " ".join(row))


if __name__ == "__main__":
    main()
