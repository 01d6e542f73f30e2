"""A live reverse auction under watch: 10 bidders x 3 rounds, 200 sockets following it.

    uv run python bench/auction.py            # 10 bidders, 3 rounds, 200 sockets, 2 s turns
    uv run python bench/auction.py --write    # also append to docs/benchmarks.md
    uv run python bench/auction.py --bidders 4 --rounds 2 --sockets 50    # quick run

A fresh embedded PostgreSQL (bench/scratch.py) and ``planner serve`` in its own process. One
estate, ``--bidders`` suppliers who quoted a work; the committee starts an auction. The
sockets (the bidders', the committee's and observers', spread evenly) follow
``WS /ws/estates/{id}`` from a separate process and take the wall-clock time each frame
arrives (one machine: one clock with PostgreSQL's). The driver, in this process, answers
each ``auction.turn`` with a bid from the bidder whose turn it is (own price - step).

Printed:
- bid delay: from the bid's time ``at`` (``clock_timestamp()`` in the bid's transaction,
  just before its commit) to its frame at every socket: p50, p99, max;
- turn lateness: from a turn's scheduled start (``starts_at``) to the ``auction.turn``
  frame at every socket (p50, p99, max), and to the event's own time ``at`` (the schedule
  loop's lateness alone);
- the bid's HTTP round trip (p50, p99).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
import msgspec
from machine import append_to_benchmarks, machine_line  # bench/machine.py
from scratch import embedded_database  # bench/scratch.py

from planner.testing import start_service
from planner.testing.api import bearer, create_estate
from planner.testing.auction import quoted_work

HEADING = "2026-12-04, issue 20 (live reverse auction)"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def parse_time(value: str) -> float:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


# Sockets (child process) ----------------------------------------------------------------


class _Frame(msgspec.Struct):
    type: str | None = None
    seq: int | None = None
    at: str | None = None
    data: dict[str, Any] | None = None


def sockets_process(urls: list[str], pipe: Connection) -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    import uvloop

    pipe.send(uvloop.run(_follow_all(urls, pipe)))
    pipe.close()


async def _follow_all(urls: list[str], pipe: Connection) -> list[tuple[str, int, float, str, str]]:
    """(type, seq, received wall time, the event's at, data time) per auction frame."""
    from websockets.asyncio.client import connect

    decoder = msgspec.json.Decoder(_Frame)
    seen: list[tuple[str, int, float, str, str]] = []
    ready = 0
    all_ready = asyncio.Event()
    gate = asyncio.Semaphore(50)

    async def open_one(url: str) -> Any:
        async with gate:
            return await connect(url, ping_interval=None, open_timeout=60, max_size=2**22)

    async def follow(ws: Any) -> None:
        nonlocal ready
        async for raw in ws:
            now = time.time()
            frame = decoder.decode(raw)
            if frame.type == "caught_up":
                ready += 1
                if ready == len(urls):
                    all_ready.set()
            elif frame.seq is not None and frame.data is not None:
                if frame.type == "auction.bid":
                    seen.append((frame.type, frame.seq, now, frame.at or "", frame.data["at"]))
                elif frame.type == "auction.turn":
                    seen.append(
                        (frame.type, frame.seq, now, frame.at or "", frame.data["starts_at"])
                    )
                elif frame.type == "auction.finished":
                    return

    connections = await asyncio.gather(*(open_one(url) for url in urls))
    tasks = [asyncio.create_task(follow(ws)) for ws in connections]
    await asyncio.wait_for(all_ready.wait(), 120)
    pipe.send("ready")
    await asyncio.wait_for(asyncio.gather(*tasks), 600)
    for ws in connections:
        await ws.close()
    return seen


# The driver ----------------------------------------------------------------------------


async def drive(
    base_url: str, auction_id: int, committee: str, tokens: dict[int, str], rounds: int
) -> list[float]:
    """Bid in every turn as the bidder whose turn it is; the HTTP round trips (ms)."""
    from websockets.asyncio.client import connect

    trips: list[float] = []
    url = base_url.replace("http://", "ws://")
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=30) as http,
        connect(
            f"{url}/ws/estates/{await _estate(http, auction_id, committee)}?token={committee}"
        ) as ws,
    ):
        async for raw in ws:
            frame = msgspec.json.decode(raw)
            if frame.get("type") == "auction.finished":
                break
            if frame.get("type") != "auction.turn":
                continue
            view = (await http.get(f"/api/auctions/{auction_id}", headers=bearer(committee))).json()
            number = frame["data"]["number"]
            holder = next(b for b in view["bidders"] if b["number"] == number)
            started = time.perf_counter()
            answer = await http.post(
                f"/api/auctions/{auction_id}/bids",
                json={"total_fen": holder["price_fen"] - view["step_fen"]},
                headers=bearer(tokens[holder["supplier_id"]]),
            )
            trips.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 201:
                print(f"bid refused: {answer.text}", file=sys.stderr)
    return trips


async def _estate(http: httpx.AsyncClient, auction_id: int, committee: str) -> int:
    view = (await http.get(f"/api/auctions/{auction_id}", headers=bearer(committee))).json()
    return int(view["estate_id"])


async def setup(base_url: str, admin: str, bidders: int, observers: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        estate_id = await create_estate(http, admin, None, "竞价基准小区")
        members = []
        for i in range(1 + observers):
            role = "committee" if i == 0 else "observer"
            created = await http.post(
                f"/api/estates/{estate_id}/members",
                json={"role": role, "display_name": f"{role}{i}"},
                headers=bearer(admin),
            )
            members.append(created.json()["token"])
        totals = [1_000_000 + 20_000 * i for i in range(bidders)]
        scene = await quoted_work(http, admin, members[0], estate_id, "电梯更新", totals)
    return {"estate_id": estate_id, "committee": members[0], "watchers": members, "scene": scene}


async def run(args: argparse.Namespace) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-auction-") as folder:
        async with embedded_database(Path(folder) / "pg", "auction") as url:
            service = start_service(url, Path(folder) / "svc", timeout=180)
            try:
                return await _measure(args, service.base_url, service.admin_token)
            finally:
                service.stop()


async def _measure(args: argparse.Namespace, base_url: str, admin: str) -> str:
    world = await setup(base_url, admin, args.bidders, observers=5)
    scene = world["scene"]
    tokens = [b.token for b in scene.bidders] + world["watchers"]
    ws_base = base_url.replace("http://", "ws://")
    urls = [
        f"{ws_base}/ws/estates/{world['estate_id']}?token={tokens[i % len(tokens)]}"
        for i in range(args.sockets)
    ]
    parent, child = mp.Pipe()
    process = mp.get_context("spawn").Process(target=sockets_process, args=(urls, child))
    process.start()
    assert parent.recv() == "ready"
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        created = await http.post(
            f"/api/works/{scene.work_id}/auctions",
            json={
                "rounds": args.rounds,
                "turn_seconds": args.turn_seconds,
                "starts_in_seconds": 2,
            },
            headers=bearer(world["committee"]),
        )
        assert created.status_code == 201, created.text
        auction_id = created.json()["auction_id"]
    trips = await drive(
        base_url,
        auction_id,
        world["committee"],
        {b.supplier_id: b.token for b in scene.bidders},
        args.rounds,
    )
    seen = await asyncio.to_thread(parent.recv)
    process.join(30)
    bids = [
        (now - parse_time(data_at)) * 1000
        for kind, _, now, _, data_at in seen
        if kind == "auction.bid"
    ]
    turns = [
        (now - parse_time(start)) * 1000
        for kind, _, now, _, start in seen
        if kind == "auction.turn"
    ]
    loop_late = {
        seq: (parse_time(at) - parse_time(start)) * 1000
        for kind, seq, _, at, start in seen
        if kind == "auction.turn"
    }
    expected_bids = args.bidders * args.rounds
    lines = [
        f"`uv run python bench/auction.py --bidders {args.bidders} --rounds {args.rounds} "
        f"--sockets {args.sockets} --turn-seconds {args.turn_seconds}`",
        "",
        machine_line(),
        f"- {args.bidders} bidders x {args.rounds} rounds ({len(trips)} bids, "
        f"{expected_bids} expected), {args.sockets} sockets watching; "
        f"{len(bids)} bid frames and {len(turns)} turn frames received "
        f"({expected_bids * args.sockets} of each expected)",
        "",
        "| measure | p50 | p99 | max |",
        "|---|---|---|---|",
        _row("bid `at` → every socket", bids),
        _row("turn `starts_at` → every socket (lateness)", turns),
        _row("turn `starts_at` → event written (loop lateness)", list(loop_late.values())),
        _row("bid HTTP round trip", trips),
    ]
    return "\n".join(lines)


def _row(label: str, values: Sequence[float]) -> str:
    if not values:
        return f"| {label} | – | – | – |"
    return (
        f"| {label} | {percentile(values, 0.5):.1f} ms | {percentile(values, 0.99):.1f} ms "
        f"| {max(values):.1f} ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bidders", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--turn-seconds", type=int, default=2)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    body = asyncio.run(run(args))
    print(body)
    if args.write:
        append_to_benchmarks(HEADING, body)


if __name__ == "__main__":
    main()
