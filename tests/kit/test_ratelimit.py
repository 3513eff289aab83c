"""RateLimiter: fixed windows on the store's atomic counters, on SQLite and on Redis."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as redis_asyncio

from mercato.kit.kv import (
    KeyValueStore,
    KeyValueUnavailable,
    PrefixedStore,
    RedisStore,
    SQLiteStore,
)
from mercato.kit.ratelimit import RateLimiter

REDIS_URL = os.environ.get("MERCATO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(params=["sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[KeyValueStore]:
    if request.param == "sqlite":
        sqlite = SQLiteStore(tmp_path / "kv.sqlite3")
        yield sqlite
        await sqlite.close()
        return
    inner = RedisStore(REDIS_URL)
    try:
        await inner.ping()
    except KeyValueUnavailable as exc:
        await inner.close()
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {exc}")
    prefix = f"kittest:{uuid.uuid4().hex}:"
    yield PrefixedStore(inner, prefix)
    await inner.close()
    client = redis_asyncio.Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=1000)]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_headers_count_down_then_deny_with_retry_after(store: KeyValueStore) -> None:
    limiter = RateLimiter(store, "3/1m", namespace="login")

    decisions = [await limiter.hit("203.0.113.9") for _ in range(4)]

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    first = decisions[0].headers()
    assert first["RateLimit-Limit"] == "3"
    assert first["RateLimit-Remaining"] == "2"
    assert 1 <= int(first["RateLimit-Reset"]) <= 60
    assert "Retry-After" not in first
    denied = decisions[3].headers()
    assert denied["RateLimit-Remaining"] == "0"
    assert denied["Retry-After"] == denied["RateLimit-Reset"]
    assert 1 <= int(denied["Retry-After"]) <= 60


async def test_window_resets(store: KeyValueStore) -> None:
    limiter = RateLimiter(store, "2/1s", namespace="burst")
    assert [(await limiter.hit("k")).allowed for _ in range(3)] == [True, True, False]

    await asyncio.sleep(1.1)

    decision = await limiter.hit("k")
    assert decision.allowed
    assert decision.remaining == 1


async def test_keys_and_namespaces_are_counted_apart(store: KeyValueStore) -> None:
    login = RateLimiter(store, "1/1m", namespace="login")
    search = RateLimiter(store, "1/1m", namespace="search")
    assert (await login.hit("alice")).allowed
    assert not (await login.hit("alice")).allowed
    assert (await login.hit("bob")).allowed
    assert (await search.hit("alice")).allowed


async def test_exactly_the_limit_is_allowed_under_concurrency(store: KeyValueStore) -> None:
    limiter = RateLimiter(store, "100/1m", namespace="crowd")

    decisions = await asyncio.gather(*(limiter.hit("one-client") for _ in range(150)))

    assert sum(d.allowed for d in decisions) == 100
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(100))


async def test_peek_does_not_count_and_reset_clears(store: KeyValueStore) -> None:
    limiter = RateLimiter(store, "2/15m", namespace="failures")
    fresh = await limiter.peek("acct")
    assert (fresh.allowed, fresh.remaining, fresh.reset_seconds) == (True, 2, 900)

    await limiter.hit("acct")
    await limiter.hit("acct")
    blocked = await limiter.peek("acct")
    assert not blocked.allowed
    assert blocked.headers()["Retry-After"] == str(blocked.reset_seconds)
    assert 890 <= blocked.reset_seconds <= 900
    assert (await limiter.peek("acct")).remaining == 0

    await limiter.reset("acct")
    assert (await limiter.peek("acct")).allowed
