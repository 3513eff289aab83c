"""A PostgreSQL database and a Redis key prefix of one benchmark run's own, dropped and
deleted afterwards, so a run never touches anyone else's data on the shared servers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class Scratch:
    database: str
    kv_prefix: str

    @property
    def dsn(self) -> str:
        """For asyncpg."""
        return f"postgresql://postgres@127.0.0.1:5432/{self.database}"

    @property
    def url(self) -> str:
        """For the services (SQLAlchemy over asyncpg)."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{self.database}"


@contextmanager
def scratch_postgres() -> Iterator[Scratch]:
    import asyncpg
    import redis

    scratch = Scratch(f"bench_{uuid.uuid4().hex[:12]}", f"bench:{uuid.uuid4().hex[:12]}:")

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{scratch.database}"'))
    try:
        yield scratch
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{scratch.kv_prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
