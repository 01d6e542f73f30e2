"""One watcher's live stream for the load benches (vote_storm.py, city.py): connect, resume after
the last seq on every reconnect, and hand each event to the bench."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

import msgspec

_decoder = msgspec.json.Decoder()


class Stream:
    """A socket that follows an estate's events until ``stop`` is set.

    ``url(after)`` is the address to (re)connect to (``after``: the last seq seen, 0 at first);
    ``on_event(frame, received)`` gets each event with the wall-clock time it arrived;
    ``hello`` is released once, at the first hello; ``gate`` (optional) limits how many
    connect at a time. ``last_seq`` and ``reconnects`` are for the bench to read.
    """

    def __init__(
        self,
        url: Callable[[int], str],
        on_event: Callable[[dict[str, Any], float], None],
        hello: asyncio.Semaphore,
        gate: asyncio.Semaphore | None = None,
        open_timeout: float = 60.0,
    ) -> None:
        self.url = url
        self.on_event = on_event
        self.hello = hello
        self.gate = gate
        self.open_timeout = open_timeout
        self.last_seq = 0
        self.reconnects = 0

    async def run(self, stop: asyncio.Event) -> None:
        from websockets.asyncio.client import connect

        first = True
        while not stop.is_set():
            try:
                gate: AbstractAsyncContextManager[Any] = self.gate or nullcontext()
                async with gate:
                    ws = await connect(
                        self.url(self.last_seq), max_size=2**22, open_timeout=self.open_timeout
                    )
                async with ws:
                    async for raw in ws:
                        received = time.time()
                        frame = _decoder.decode(raw)
                        if "seq" not in frame:
                            if frame.get("type") == "hello" and first:
                                first = False
                                self.hello.release()
                            continue
                        self.last_seq = frame["seq"]
                        self.on_event(frame, received)
                        if stop.is_set():
                            break
            except Exception:  # dropped as too slow, or a reset: resume from the last seq
                self.reconnects += 1
                await asyncio.sleep(0.2)
