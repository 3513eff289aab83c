"""Key-value stores for the kit's tests: every test taking `store` runs on both backends."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import redis.asyncio as redis_asyncio

from mercato.kit.db import Database
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


POSTGRES_URL = os.environ.get(
    "MERCATO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(scope="module")
async def scratch_url(backend: Any, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A database of the backend under test, for one test module (the outbox and inbox tests,
    whose tables belong to no service)."""
    if backend.name != "postgres":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('scratch') / 'scratch.db'}"
        return
    name = f"mercato_test_scratch_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    server = POSTGRES_URL.split("://", 1)[1].rsplit("/", 1)[0]
    yield f"postgresql+asyncpg://{server}/{name}"
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def database(scratch_url: str) -> AsyncIterator[Database]:
    db = Database(scratch_url)
    yield db
    await db.dispose()
