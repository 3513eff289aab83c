"""Key-value stores for the kit's tests: every test taking `store` runs on both backends."""

from __future__ import annotations

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

REDIS_URL = os.environ.get("MERCATO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def _redis_store() -> AsyncIterator[KeyValueStore]:
    """A RedisStore namespaced by a unique prefix whose keys are deleted afterwards."""
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


@pytest.fixture(params=["sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[KeyValueStore]:
    if request.param == "sqlite":
        sqlite = SQLiteStore(tmp_path / "kv.sqlite3")
        yield sqlite
        await sqlite.close()
    else:
        async for redis_store in _redis_store():
            yield redis_store


@pytest.fixture
async def kv(tmp_path: Path) -> AsyncIterator[KeyValueStore]:
    """The embedded store alone, for tests where the backend is not the point."""
    store = SQLiteStore(tmp_path / "kv.sqlite3")
    yield store
    await store.close()
