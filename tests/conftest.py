"""Test backends: SQLite + embedded KV, or PostgreSQL + Redis, chosen by MERCATO_TEST_BACKEND.

`sqlite` (default) needs nothing; `postgres` creates fresh databases for this run on the
server at MERCATO_TEST_POSTGRES_URL (default the local one) and a key prefix of its own on
MERCATO_TEST_REDIS_URL, and drops them afterwards. `make test` runs the suite on both.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from mercato.kit.migrations import upgrade
from mercato.kit.settings import SERVICES, Settings

BACKEND = os.environ.get("MERCATO_TEST_BACKEND", "sqlite")
POSTGRES_URL = os.environ.get(
    "MERCATO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("MERCATO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def pytest_report_header() -> str:
    if BACKEND == "postgres":
        return f"mercato backend: PostgreSQL ({POSTGRES_URL}) + Redis ({REDIS_URL})"
    return "mercato backend: SQLite + embedded key-value store"


@dataclass
class Backend:
    """Where this test run keeps its data."""

    name: str
    data_dir: Path
    redis_url: str | None
    kv_prefix: str
    database_urls: dict[str, str]

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "env": "test",
            "data_dir": self.data_dir,
            "redis_url": self.redis_url,
            "kv_prefix": self.kv_prefix,
            "bcrypt_rounds": 4,
            "log_level": "WARNING",
            "service_rate_limit": "100000/1m",
            # Half the default: a run keeps several services' pools open at once (and some
            # tests two instances of one), and PostgreSQL's default max_connections is 100.
            "db_pool_size": 8,
            **{f"{service}_database_url": url for service, url in self.database_urls.items()},
        }
        values.update(overrides)
        return Settings(**values)


def _service_packages() -> list[str]:
    root = Path(__file__).resolve().parents[1] / "src" / "mercato"
    return [s for s in SERVICES if (root / s / "migrations").is_dir()]


async def _create_databases(names: list[str]) -> None:
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        for name in names:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop_databases(names: list[str]) -> None:
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """The run's databases, migrated with the real Alembic migrations, and its KV store."""
    data_dir = tmp_path_factory.mktemp("mercato-data")
    run = uuid.uuid4().hex[:10]
    services = _service_packages()
    if BACKEND == "postgres":
        names = {service: f"mercato_test_{run}_{service}" for service in services}
        asyncio.run(_create_databases(list(names.values())))
        server = POSTGRES_URL.split("://", 1)[1].rsplit("/", 1)[0]
        urls = {s: f"postgresql+asyncpg://{server}/{name}" for s, name in names.items()}
        chosen = Backend("postgres", data_dir, REDIS_URL, f"test:{run}:", urls)
    else:
        urls = {s: f"sqlite+aiosqlite:///{data_dir / f'{s}.db'}" for s in services}
        chosen = Backend("sqlite", data_dir, None, "", urls)
    for service, url in urls.items():
        upgrade(service, url)
    yield chosen
    if BACKEND == "postgres":
        asyncio.run(_drop_databases(list(names.values())))
        _drop_redis_prefix(REDIS_URL, chosen.kv_prefix)


def _drop_redis_prefix(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    finally:
        client.close()


@pytest.fixture
def settings_factory(backend: Backend) -> Callable[..., Settings]:
    return backend.settings
