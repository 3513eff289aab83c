"""Fixed-window rate limiting on the key-value store's atomic counters.

Each hit owns one count of the shared window counter ("slot"); slots up to the limit are
admitted. Two things keep that cheap without ever admitting more than the limit, across any
number of processes sharing the store:

- Concurrent hits on one key share one round trip: the first one asks the store for as many
  slots as there are callers waiting (`INCRBY n`), later arrivals wait for the next trip.
- With `lease=True`, a busy client far from its limit takes a block of slots at once and
  spends them locally until the window ends. A slot leased by one process and left unspent
  is lost to the others for that window: the limit may under-admit by up to (block - 1) per
  process and window, never over-admit. Blocks start at 1, double while they run out within
  the window, and shrink to 1 as the client nears its limit. Once a window's slots are past
  the limit, refusals are answered locally until the window ends. Only for limits nobody
  `reset()`s or `peek()`s elsewhere: the store's count then runs ahead of the hits.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass

from mercato.kit.kv import KeyValueStore
from mercato.kit.settings import parse_rate

MAX_LEASE = 1024
"""Largest block of slots one round trip leases: at 10,000 req/s from one client, ten trips a
second, and at most 1023 slots a process can leave unspent in a window."""
LEASE_SHARE = 16
"""A block is at most this fraction of what is left of the limit, so a client near its limit
gets single slots and loses next to nothing when its traffic moves to another process."""
_BUSY_SECONDS = 0.5
"""A block spent within this time doubles the next one; one that lasts longer halves it."""
_MAX_KEYS = 65_536
"""Windows remembered per limiter before expired ones are swept (clients are many)."""


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


class _Window:
    """What one process knows of one key's current window: its leased slots and its queue."""

    __slots__ = ("deadline", "fetching", "last", "lease", "leased_at", "next", "waiters")

    def __init__(self) -> None:
        self.deadline = 0.0  # monotonic time by which the store's window has surely ended
        self.next = 1  # the next leased slot to hand out
        self.last = 0  # the last slot leased; `next > last` means none left
        self.lease = 1  # the block size the next round trip aims for
        self.leased_at = 0.0
        self.fetching = False  # a round trip is in flight, or handed to a queued caller
        self.waiters: deque[asyncio.Future[int | None]] = deque()


class RateLimiter:
    """`limit` requests per `window` seconds per key; counting is atomic across processes."""

    def __init__(
        self, kv: KeyValueStore, rate: str, *, namespace: str, lease: bool = False
    ) -> None:
        self.kv = kv
        self.limit, self.window = parse_rate(rate)
        self.namespace = namespace
        self.leases = lease
        self._windows: dict[str, _Window] = {}
        self._sweep_above = _MAX_KEYS

    async def hit(self, key: str) -> RateDecision:
        now = time.monotonic()
        window = self._windows.get(key)
        if window is None:
            if len(self._windows) >= self._sweep_above:
                self._sweep(now)
            window = self._windows[key] = _Window()
        elif window.fetching:
            waiter: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
            window.waiters.append(waiter)
            try:
                slot = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled() and waiter.result() is None:
                    self._hand_over(window, None)  # it was our turn to drive: pass it on
                raise
            if slot is not None:
                return self._decision(slot, window.deadline - time.monotonic())
            # None: the trip before left us out, and it is our turn to make the next one.
        elif now < window.deadline:
            if window.next <= window.last:
                slot = window.next
                window.next += 1
                return self._decision(slot, window.deadline - now)
            if self.leases and window.last >= self.limit:
                # Past the limit for the rest of this window, whatever other processes do.
                return self._decision(window.last + 1, window.deadline - now)
        return await self._fetch(key, window)

    async def _fetch(self, key: str, window: _Window) -> RateDecision:
        """One round trip for this caller and every caller queued behind it."""
        window.fetching = True
        started = time.monotonic()
        live = started < window.deadline
        demand = 1 + len(window.waiters)
        amount = demand
        if self.leases:
            if live and started - window.leased_at < _BUSY_SECONDS:
                window.lease = min(window.lease * 2, MAX_LEASE)  # spent fast: a busy client
            elif live or window.next <= window.last:
                window.lease = max(1, window.lease // 2)  # spent slowly, or left unspent
            known = window.last if live else 0
            headroom = max(0, self.limit - known) // LEASE_SHARE
            amount = max(demand, min(window.lease, headroom))
        try:
            count, left = await self.kv.incr(f"rl:{self.namespace}:{key}", self.window, amount)
        except BaseException as exc:
            self._hand_over(window, exc)
            raise
        # Measured from before the call: the store's window surely ends by then.
        window.deadline = started + left
        window.leased_at = started
        first = count - amount + 1
        window.next, window.last = first + 1, count
        # Slots in order: ours first, then the callers that queued during the trip.
        while window.waiters and window.next <= window.last:
            waiter = window.waiters.popleft()
            if not waiter.done():  # cancelled meanwhile: its slot goes to the next one
                waiter.set_result(window.next)
                window.next += 1
        self._hand_over(window, None)
        return self._decision(first, window.deadline - time.monotonic())

    def _hand_over(self, window: _Window, error: BaseException | None) -> None:
        """The trip is over: the first caller still waiting drives the next (or all fail)."""
        window.fetching = False
        if error is not None and not isinstance(error, asyncio.CancelledError):
            while window.waiters:
                waiter = window.waiters.popleft()
                if not waiter.done():
                    waiter.set_exception(error)
            return
        while window.waiters:
            waiter = window.waiters.popleft()
            if not waiter.done():
                window.fetching = True  # reserved for it, so no newcomer starts a trip too
                waiter.set_result(None)
                return

    def _decision(self, slot: int, left: float) -> RateDecision:
        return RateDecision(
            allowed=slot <= self.limit,
            limit=self.limit,
            remaining=max(0, self.limit - slot),
            reset_seconds=max(1, math.ceil(left)),
        )

    def _sweep(self, now: float) -> None:
        self._windows = {
            key: window
            for key, window in self._windows.items()
            if window.deadline > now or window.fetching or window.waiters
        }
        # Sweep again only after as many new keys again: never a full scan per request.
        self._sweep_above = max(_MAX_KEYS, 2 * len(self._windows))

    async def peek(self, key: str) -> RateDecision:
        """The state without counting a hit (for limits that count only failures)."""
        raw = await self.kv.get(f"rl:{self.namespace}:{key}")
        count = int(raw) if raw else 0
        left = await self.kv.ttl(f"rl:{self.namespace}:{key}") if raw else None
        return RateDecision(
            allowed=count < self.limit,
            limit=self.limit,
            remaining=max(0, self.limit - count),
            reset_seconds=max(1, math.ceil(left if left is not None else self.window)),
        )

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)
        await self.kv.delete(f"rl:{self.namespace}:{key}")
