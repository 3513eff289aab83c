"""Fixed-window rate limiting on the key-value store's atomic counters."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mercato.kit.kv import KeyValueStore
from mercato.kit.settings import parse_rate


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


class RateLimiter:
    """`limit` requests per `window` seconds per key; counting is atomic across processes."""

    def __init__(self, kv: KeyValueStore, rate: str, *, namespace: str) -> None:
        self.kv = kv
        self.limit, self.window = parse_rate(rate)
        self.namespace = namespace

    async def hit(self, key: str) -> RateDecision:
        count, left = await self.kv.incr(f"rl:{self.namespace}:{key}", self.window)
        return RateDecision(
            allowed=count <= self.limit,
            limit=self.limit,
            remaining=max(0, self.limit - count),
            reset_seconds=max(1, math.ceil(left)),
        )

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
        await self.kv.delete(f"rl:{self.namespace}:{key}")
