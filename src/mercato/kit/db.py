"""The async SQLAlchemy engine and sessions of one service: SQLite by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from prometheus_client import Counter
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_ONLY = "mercato_read_only"
"""Execution option of read-only units of work: SQLite then begins a deferred transaction."""


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    # WAL lets readers run beside the one writer; busy_timeout makes writers queue, not fail.
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    if conn.get_execution_options().get(READ_ONLY):
        # A deferred BEGIN reads a snapshot without the write lock: reads never queue
        # behind writers (WAL), nor writers behind reads.
        conn.exec_driver_sql("BEGIN")
        return
    # Take the write lock at BEGIN: a deferred transaction that later writes can deadlock
    # against another writer and fail with "database is locked" instead of waiting.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


DEFAULT_POOL_SIZE = 16


def create_engine(url: str, *, pool_size: int = DEFAULT_POOL_SIZE) -> AsyncEngine:
    """`pool_size` connections at most, kept open: a fixed pool, no overflow. Overflow
    connections are closed as soon as they are returned, so a load above the pool size
    would open and close a connection per request; with a fixed pool a request waits for
    a free connection instead. Measured on `GET /api/auth/me` at 64 connections: with 10
    the wait for a connection made p99 ~1 s (p50 36 ms); 16 gave p99 ~160 ms at the same
    throughput; 40 cost throughput (PostgreSQL backends competing for the cores)."""
    if is_sqlite(url):
        database = make_url(url).database
        pool: dict[str, Any] = {}
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # Pooled, not a connection per unit of work: opening one (a thread, the file,
            # the PRAGMAs) costs more than the query. An in-memory database keeps
            # SQLAlchemy's default, its single shared connection.
            pool = {"pool_size": pool_size, "max_overflow": 0}
        engine = create_async_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **pool
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    # No pool_pre_ping: it costs three round trips (BEGIN, ping, ROLLBACK) on every
    # checkout, more than the query of a cheap read. Instead connections are replaced after
    # pool_recycle seconds (below any server or firewall idle timeout), and a connection
    # found dead makes SQLAlchemy invalidate the whole pool: after a database restart the
    # requests in flight on old connections fail once (500), the next ones reconnect.
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_recycle=1800,
    )


STATEMENTS = Counter(
    "mercato_db_statements_total",
    "SQL statements sent to the service's database (round trips, BEGIN/COMMIT aside).",
    ["service"],
)
COMMITS = Counter(
    "mercato_db_commits_total", "Transactions committed on the service's database.", ["service"]
)


def count_round_trips(engine: AsyncEngine, service: str) -> None:
    """Count statements and commits on /metrics: the benchmark reads them to say how many
    database round trips an order costs each service."""
    statements = STATEMENTS.labels(service)
    commits = COMMITS.labels(service)
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *_: statements.inc())
    event.listen(engine.sync_engine, "commit", lambda *_: commits.inc())


class Database:
    """One service's engine and session factory."""

    def __init__(
        self, url: str, *, pool_size: int = DEFAULT_POOL_SIZE, service: str | None = None
    ) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size)
        if service is not None:
            count_round_trips(self.engine, service)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # The same pool. SQLite begins these deferred (see _sqlite_begin). PostgreSQL runs
        # each statement on its own: under READ COMMITTED every statement of a transaction
        # takes a new snapshot anyway, so BEGIN and ROLLBACK would be two round trips that
        # buy nothing for a read.
        options = {READ_ONLY: True} if self.is_sqlite else {"isolation_level": "AUTOCOMMIT"}
        reader = self.engine.execution_options(**options)
        self.read_sessions = async_sessionmaker(reader, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    async def session(self) -> AsyncGenerator[AsyncSession, None]:
        """The request's unit of work: commits when the handler returns, rolls back on error."""
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def read_session(self) -> AsyncGenerator[AsyncSession, None]:
        """A unit of work that only reads: on SQLite a deferred transaction that takes no
        write lock, on PostgreSQL no transaction at all. Never write in it: nothing commits
        it (SQLite rolls a write back, PostgreSQL would keep it at once)."""
        async with self.read_sessions() as session:
            try:
                yield session
            finally:
                await session.rollback()

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()
