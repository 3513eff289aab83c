"""A service's background loops (outbox relay, housekeeping) as one task each, tied to the
app's lifespan: started at start-up, cancelled and awaited at shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable, Coroutine
from typing import Any

import structlog

log = structlog.get_logger("mercato.background")


class BackgroundTask:
    """Runs `run()` as one asyncio task between `start()` and `stop()`. Starting a running task
    does nothing; stopping twice is harmless."""

    def __init__(self, run: Callable[[], Coroutine[Any, Any, None]], name: str) -> None:
        self._run = run
        self.name = name
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class PollingWorker:
    """A background loop over a batch job (the outbox relay, the notifications sender).

    `run_once()` claims and handles up to `batch_size` items and answers how many it claimed.
    After a full batch the loop goes again at once; otherwise it waits for `wake()` or
    `poll_interval` seconds. A wake is followed by a `gather` pause, so that work committed in
    a burst (an order a moment) is claimed in one batch, one claim transaction, rather than one
    claim each."""

    def __init__(
        self, name: str, *, poll_interval: float, batch_size: int, gather: float = 0.0
    ) -> None:
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.gather = gather
        self._background = BackgroundTask(self._loop, name)
        self._wakeup = asyncio.Event()

    async def run_once(self) -> int:
        raise NotImplementedError

    def pass_failed(self) -> None:
        """Called inside the `except` of a failed pass (log it); the next poll retries."""

    def start(self) -> None:
        """Run in the background until `stop()`."""
        self._background.start()

    async def stop(self) -> None:
        await self._background.stop()

    async def wake(self) -> None:
        """Work now rather than at the next poll (call once new work is committed)."""
        self._wakeup.set()

    async def _loop(self) -> None:
        while True:
            try:
                claimed = await self.run_once()
            except Exception:  # the loop outlives a database blip; the next poll retries
                self.pass_failed()
                claimed = 0
            if claimed >= self.batch_size:
                continue  # a full batch: more may be due
            # Not wait_for: on 3.11 it swallows a cancel that coincides with a wake-up, and
            # `stop()` then waits forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval):
                    await self._wakeup.wait()
                    if self.gather > 0:
                        await asyncio.sleep(self.gather)
            self._wakeup.clear()


class PeriodicJob:
    """Runs `run_once()` every `interval` seconds in the background (housekeeping). The first
    pass comes at a random point within the first interval, so instances started together
    drift apart and a process restarted more often than the interval still runs now and
    then. A failed pass is logged and the next one catches up."""

    def __init__(
        self, run_once: Callable[[], Coroutine[Any, Any, object]], name: str, *, interval: float
    ) -> None:
        self._run_once = run_once
        self.name = name
        self.interval = interval
        self._background = BackgroundTask(self._loop, name)

    def start(self) -> None:
        self._background.start()

    async def stop(self) -> None:
        await self._background.stop()

    async def _loop(self) -> None:
        delay = self.interval * random.uniform(0.1, 1.0)
        while True:
            await asyncio.sleep(delay)
            delay = self.interval * random.uniform(0.9, 1.1)
            try:
                await self._run_once()
            except Exception:  # a database blip skips one pass; the next one catches up
                log.exception("housekeeping_failed", job=self.name)
