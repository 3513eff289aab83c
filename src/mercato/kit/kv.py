"""The key-value store for shared ephemeral state: Redis, or an embedded SQLite file.

Both backends give the same semantics to every process of a deployment: values with TTLs,
atomic counters over a window, and set-if-absent. A per-process dict would not: two
processes must agree on revocations, rate-limit counts and idempotency records.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from pathlib import Path

import redis.asyncio as redis_asyncio
from redis.exceptions import RedisError


class KeyValueUnavailable(Exception):
    """The store cannot be reached. Callers decide: degrade (cache) or refuse (revocations)."""


class KeyValueStore(ABC):
    @abstractmethod
    async def get(self, key: str) -> bytes | None: ...

    @abstractmethod
    async def get_many(self, keys: list[str]) -> list[bytes | None]: ...

    @abstractmethod
    async def set(self, key: str, value: bytes | str, ttl: float | None = None) -> None: ...

    @abstractmethod
    async def set_if_absent(self, key: str, value: bytes | str, ttl: float | None = None) -> bool:
        """Store `value` only when `key` holds nothing; True when this call stored it."""

    @abstractmethod
    async def delete(self, *keys: str) -> int: ...

    @abstractmethod
    async def incr(self, key: str, ttl: float, amount: int = 1) -> tuple[int, float]:
        """Add `amount` to a counter that lives `ttl` seconds from its first increment.

        Returns the new count and the seconds left before the counter resets. Atomic: N
        concurrent calls from any number of processes observe the counts 1..N exactly once
        (a call adding `amount` owns the `amount` counts ending at the one it returns).
        """

    @abstractmethod
    async def ttl(self, key: str) -> float | None:
        """Seconds left for `key`, None when it is absent or never expires."""

    @abstractmethod
    async def ping(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else value


class RedisStore(KeyValueStore):
    # INCRBY and the window's PEXPIRE in one script, so a crash between them cannot leave an
    # immortal counter, and the TTL is read in the same atomic step. A counter found without
    # a TTL (a value stored by `set`) starts its window here.
    _INCR = """
    local n = redis.call('INCRBY', KEYS[1], ARGV[2])
    local left = redis.call('PTTL', KEYS[1])
    if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
    return {n, left}
    """

    def __init__(self, url: str, *, max_connections: int = 100) -> None:
        # A blocking pool: past `max_connections` a call waits for a free connection, where
        # the default pool fails at once ("Too many connections") under a burst of requests.
        pool = redis_asyncio.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=2.0,
            socket_timeout=2.0,
            socket_connect_timeout=2.0,
            health_check_interval=30,
        )
        self._redis = redis_asyncio.Redis.from_pool(pool)
        self._incr = self._redis.register_script(self._INCR)

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self._redis.get(key)
            return _as_bytes(value) if value is not None else None
        except (RedisError, OSError) as exc:
            raise KeyValueUnavailable(str(exc)) from exc

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            return []
        try:
            values = await self._redis.mget(keys)
            return [_as_bytes(v) if v is not None else None for v in values]
        except (RedisError, OSError) as exc:
            raise KeyValueUnavailable(str(exc)) from exc

    async def set(self, key: str, value: bytes | str, ttl: float | None = None) -> None:
        try:
            await self._redis.set(key, value, px=_millis(ttl))
        except (RedisError, OSError) as exc:
            raise KeyValueUnavailable(str(exc)) from exc

    async def set_if_absent(self, key: str, value: bytes | str, ttl: float | None = None) -> bool:
        try:
            return bool(await self._redis.set(key, value, px=_millis(ttl), nx=True))
        except (RedisError, OSError) as exc:
            raise KeyValueUnavailable(str(exc)) from exc

    async def delete(self, *keys: str) -> int:
        if not keys:
            return 0
        try:
            return int(await self._redis.delete(*keys))
        except (RedisError, OSError) as exc:
            raise KeyValueUnavailable(str(exc)) from exc

    async def incr(self, key: str, ttl: float, amount: int = 1) -> tuple[int, float]:
        try:
            count, left = await self._incr(keys=[key], args=[max(1, int(ttl * 1000)), amount])
        except (RedisError, OSError) as exc:
            raise KeyValueUnavailable(str(exc)) from exc
        return int(count), int(left) / 1000

    async def ttl(self, key: str) -> float | None:
        try:
            left = int(await self._redis.pttl(key))
        except (RedisError, OSError) as exc:
            raise KeyValueUnavailable(str(exc)) from exc
        return left / 1000 if left >= 0 else None

    async def ping(self) -> None:
        try:
            await self._redis.ping()
        except (RedisError, OSError) as exc:
            raise KeyValueUnavailable(str(exc)) from exc

    async def close(self) -> None:
        await self._redis.aclose()


def _millis(ttl: float | None) -> int | None:
    return None if ttl is None else max(1, int(ttl * 1000))


class SQLiteStore(KeyValueStore):
    """The embedded fallback: one SQLite file in WAL mode shared by every local process.

    Each operation is one short transaction on a connection owned by a single worker thread;
    `BEGIN IMMEDIATE` makes read-modify-write steps atomic across processes.
    """

    _SCHEMA = """
    CREATE TABLE IF NOT EXISTS kv (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL,
        expires_at REAL
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS kv_expires ON kv (expires_at) WHERE expires_at IS NOT NULL;
    """
    _PURGE_EVERY = 1000

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            path, timeout=30, isolation_level=None, check_same_thread=False
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA busy_timeout=30000")
        self._conn.executescript(self._SCHEMA)
        self._writes = 0

    async def _run(self, fn: object, *args: object) -> object:
        def locked() -> object:
            with self._lock:
                try:
                    return fn(*args)  # type: ignore[operator]
                except sqlite3.Error as exc:
                    # After close() even `in_transaction` raises: the rollback is best effort.
                    with contextlib.suppress(sqlite3.Error):
                        if self._conn.in_transaction:
                            self._conn.execute("ROLLBACK")
                    raise KeyValueUnavailable(str(exc)) from exc

        return await asyncio.to_thread(locked)

    def _write(self, sql_steps: object) -> object:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = sql_steps(conn)  # type: ignore[operator]
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self._writes += 1
        if self._writes % self._PURGE_EVERY == 0:
            conn.execute("DELETE FROM kv WHERE expires_at <= ?", (time.time(),))
        return result

    def _get_sync(self, key: str) -> bytes | None:
        row = self._conn.execute(
            "SELECT value FROM kv WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)",
            (key, time.time()),
        ).fetchone()
        if row is None:
            return None
        value = row[0]
        return str(value).encode() if isinstance(value, int) else bytes(value)

    async def get(self, key: str) -> bytes | None:
        return await self._run(self._get_sync, key)  # type: ignore[return-value]

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        def many() -> list[bytes | None]:
            return [self._get_sync(key) for key in keys]

        return await self._run(many)  # type: ignore[return-value]

    async def set(self, key: str, value: bytes | str, ttl: float | None = None) -> None:
        expires = None if ttl is None else time.time() + ttl

        def steps(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) "
                "DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
                (key, _as_bytes(value), expires),
            )

        await self._run(self._write, steps)

    async def set_if_absent(self, key: str, value: bytes | str, ttl: float | None = None) -> bool:
        def steps(conn: sqlite3.Connection) -> bool:
            now = time.time()
            conn.execute("DELETE FROM kv WHERE key = ? AND expires_at <= ?", (key, now))
            cursor = conn.execute(
                "INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO NOTHING",
                (key, _as_bytes(value), None if ttl is None else now + ttl),
            )
            return cursor.rowcount == 1

        return await self._run(self._write, steps)  # type: ignore[return-value]

    async def delete(self, *keys: str) -> int:
        if not keys:
            return 0

        def steps(conn: sqlite3.Connection) -> int:
            marks = ",".join("?" * len(keys))
            return conn.execute(f"DELETE FROM kv WHERE key IN ({marks})", keys).rowcount

        return await self._run(self._write, steps)  # type: ignore[return-value]

    async def incr(self, key: str, ttl: float, amount: int = 1) -> tuple[int, float]:
        def steps(conn: sqlite3.Connection) -> tuple[int, float]:
            now = time.time()
            conn.execute("DELETE FROM kv WHERE key = ? AND expires_at <= ?", (key, now))
            count, expires = conn.execute(
                "INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) "
                "DO UPDATE SET value = CAST(value AS INTEGER) + excluded.value, "
                # a value stored without a TTL becomes a counter of this window, as on Redis
                "expires_at = COALESCE(kv.expires_at, excluded.expires_at) "
                "RETURNING value, expires_at",
                (key, amount, now + ttl),
            ).fetchone()
            left = ttl if expires is None else max(0.0, expires - now)
            return int(count), left

        return await self._run(self._write, steps)  # type: ignore[return-value]

    async def ttl(self, key: str) -> float | None:
        def read() -> float | None:
            now = time.time()
            row = self._conn.execute(
                "SELECT expires_at FROM kv WHERE key = ? "
                "AND (expires_at IS NULL OR expires_at > ?)",
                (key, now),
            ).fetchone()
            return None if row is None or row[0] is None else row[0] - now

        return await self._run(read)  # type: ignore[return-value]

    async def ping(self) -> None:
        await self._run(lambda: self._conn.execute("SELECT 1").fetchone())

    async def close(self) -> None:
        await asyncio.to_thread(self._conn.close)


def open_store(redis_url: str | None, data_dir: Path, prefix: str = "") -> KeyValueStore:
    """Redis when a URL is configured, else the embedded store under the data dir.

    `prefix` namespaces every key, so deployments (or test runs) can share one Redis.
    """
    store: KeyValueStore = (
        RedisStore(redis_url) if redis_url else SQLiteStore(data_dir / "kv.sqlite3")
    )
    return PrefixedStore(store, prefix) if prefix else store


class PrefixedStore(KeyValueStore):
    def __init__(self, inner: KeyValueStore, prefix: str) -> None:
        self.inner = inner
        self.prefix = prefix

    async def get(self, key: str) -> bytes | None:
        return await self.inner.get(self.prefix + key)

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        return await self.inner.get_many([self.prefix + key for key in keys])

    async def set(self, key: str, value: bytes | str, ttl: float | None = None) -> None:
        await self.inner.set(self.prefix + key, value, ttl)

    async def set_if_absent(self, key: str, value: bytes | str, ttl: float | None = None) -> bool:
        return await self.inner.set_if_absent(self.prefix + key, value, ttl)

    async def delete(self, *keys: str) -> int:
        return await self.inner.delete(*(self.prefix + key for key in keys))

    async def incr(self, key: str, ttl: float, amount: int = 1) -> tuple[int, float]:
        return await self.inner.incr(self.prefix + key, ttl, amount)

    async def ttl(self, key: str) -> float | None:
        return await self.inner.ttl(self.prefix + key)

    async def ping(self) -> None:
        await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()
