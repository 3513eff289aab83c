"""Database units of work and the Alembic runner, on a SQLite file and a fresh PostgreSQL db."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import textwrap
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table, event, select, update

from mercato.kit.db import Database
from mercato.kit.deps import ReadSession, Session
from mercato.kit.errors import Conflict, install_error_handlers
from mercato.kit.migrations import alembic_config

POSTGRES_URL = os.environ.get(
    "MERCATO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)

metadata = MetaData()
notes = Table(
    "kit_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", String(100), nullable=False),
)
counters = Table(
    "kit_counters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
)


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A database of this test's own, dropped afterwards; skipped when PostgreSQL is down."""
    name = f"mercato_kittest_{uuid.uuid4().hex[:12]}"
    try:
        await _admin(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable: {exc}")
    server = POSTGRES_URL.split("://", 1)[1].rsplit("/", 1)[0]
    try:
        yield f"postgresql+asyncpg://{server}/{name}"
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    async def with_tables(url: str) -> AsyncIterator[Database]:
        db = Database(url, pool_size=2)
        async with db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        yield db
        await db.dispose()

    if request.param == "sqlite":
        async for db in with_tables(f"sqlite+aiosqlite:///{tmp_path / 'kit.db'}"):
            yield db
    else:
        async with postgres_database() as url:
            async for db in with_tables(url):
                yield db


async def note_texts(db: Database) -> list[str]:
    async with db.engine.connect() as conn:
        return list((await conn.execute(select(notes.c.text).order_by(notes.c.id))).scalars())


class TestUnitOfWork:
    async def test_commits_on_success(self, database: Database) -> None:
        async with asynccontextmanager(database.session)() as session:
            await session.execute(notes.insert().values(text="kept"))
        assert await note_texts(database) == ["kept"]

    async def test_rolls_back_on_exception(self, database: Database) -> None:
        async def write_then_fail() -> None:
            async with asynccontextmanager(database.session)() as session:
                await session.execute(notes.insert().values(text="discarded"))
                await session.flush()
                raise RuntimeError("failed half-way")

        with pytest.raises(RuntimeError, match="half-way"):
            await write_then_fail()
        assert await note_texts(database) == []

    async def test_request_commits_before_the_answer_and_rolls_back_on_error(
        self, database: Database
    ) -> None:
        app = FastAPI()
        install_error_handlers(app)
        app.state.db = database

        @app.post("/notes/{text}")
        async def add_note(text: str, session: Session) -> dict[str, str]:
            await session.execute(notes.insert().values(text=text))
            if text == "duplicate":
                raise Conflict("Already noted.")
            return {"text": text}

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            assert (await client.post("/notes/first")).status_code == 200
            assert await note_texts(database) == ["first"]
            assert (await client.post("/notes/duplicate")).status_code == 409
            if database.is_sqlite:
                # The failed request let go of the write lock as it answered.
                other = sqlite3.connect(database.engine.url.database or "", timeout=0)
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                other.close()
            assert (await client.post("/notes/second")).status_code == 200
        assert await note_texts(database) == ["first", "second"]

    async def test_ping(self, database: Database) -> None:
        await database.ping()


async def test_sqlite_read_then_increment_is_serialised(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'race.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(counters.insert().values(id=1, value=0))

    async def increment() -> None:
        async with asynccontextmanager(db.session)() as session:
            value = (await session.execute(select(counters.c.value))).scalar_one()
            await asyncio.sleep(0.005)  # let every other transaction try to run here
            await session.execute(update(counters).values(value=value + 1))

    await asyncio.gather(*(increment() for _ in range(20)))

    async with db.engine.connect() as conn:
        assert (await conn.execute(select(counters.c.value))).scalar_one() == 20
    await db.dispose()


class TestReadSession:
    async def test_reads_what_is_committed(self, database: Database) -> None:
        async with asynccontextmanager(database.session)() as session:
            await session.execute(notes.insert().values(text="committed"))
        async with asynccontextmanager(database.read_session)() as session:
            assert (await session.execute(select(notes.c.text))).scalars().all() == ["committed"]

    async def test_serves_a_route_that_only_reads(self, database: Database) -> None:
        app = FastAPI()
        app.state.db = database

        @app.get("/notes")
        async def list_notes(session: ReadSession) -> list[str]:
            return list((await session.execute(select(notes.c.text))).scalars())

        async with asynccontextmanager(database.session)() as session:
            await session.execute(notes.insert().values(text="listed"))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            for _ in range(3):
                response = await client.get("/notes")
                assert response.status_code == 200
                assert response.json() == ["listed"]


@asynccontextmanager
async def sqlite_notes(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    try:
        yield db
    finally:
        await db.dispose()


async def test_sqlite_read_does_not_wait_for_a_writer_but_a_write_does(tmp_path: Path) -> None:
    async with sqlite_notes(tmp_path) as db:
        async with asynccontextmanager(db.session)() as session:
            await session.execute(notes.insert().values(text="before"))

        async def read() -> list[str]:
            async with asynccontextmanager(db.read_session)() as session:
                return list((await session.execute(select(notes.c.text))).scalars())

        async def write(text: str) -> None:
            async with asynccontextmanager(db.session)() as session:
                await session.execute(notes.insert().values(text=text))

        writer_holds_the_lock = asyncio.Event()
        release = asyncio.Event()

        async def slow_writer() -> None:
            async with asynccontextmanager(db.session)() as session:
                await session.execute(notes.insert().values(text="slow"))
                writer_holds_the_lock.set()
                await release.wait()

        slow = asyncio.create_task(slow_writer())
        await writer_holds_the_lock.wait()
        # The writer holds SQLite's write lock: a read answers at once, from the last commit
        # (busy_timeout is 30 s, so a read that queued would show here as a timeout).
        assert await asyncio.wait_for(read(), timeout=2) == ["before"]
        second = asyncio.create_task(write("second"))
        await asyncio.sleep(0.3)
        assert not second.done()  # a write unit of work queues behind the writer
        release.set()
        await asyncio.wait_for(asyncio.gather(slow, second), timeout=10)
        assert sorted(await read()) == ["before", "second", "slow"]


async def test_sqlite_units_of_work_reuse_pooled_connections(tmp_path: Path) -> None:
    async with sqlite_notes(tmp_path) as db:
        opened: list[object] = []
        event.listen(db.engine.sync_engine, "connect", lambda conn, _: opened.append(conn))
        for n in range(10):
            async with asynccontextmanager(db.session)() as session:
                await session.execute(notes.insert().values(text=f"note {n}"))
            async with asynccontextmanager(db.read_session)() as session:
                assert len((await session.execute(select(notes.c.id))).all()) == n + 1
        assert len(opened) <= 1
        # The pooled connection kept the connect-time PRAGMAs.
        async with db.engine.connect() as conn:
            assert (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
            assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"


ENV_PY = """
from sqlalchemy import Column, Integer, MetaData, Table

from mercato.kit.migrations import run_env

metadata = MetaData()
Table("kit_widgets", metadata, Column("id", Integer, primary_key=True))
run_env(metadata)
"""

VERSION = """
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("kit_widgets", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("kit_widgets")
"""


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    """A one-revision Alembic directory whose env.py is the kit's `run_env`."""
    folder = tmp_path / "migrations"
    (folder / "versions").mkdir(parents=True)
    (folder / "env.py").write_text(textwrap.dedent(ENV_PY))
    (folder / "script.py.mako").write_text("")
    (folder / "versions" / "0001_widgets.py").write_text(textwrap.dedent(VERSION))
    return folder


def _upgrade(folder: Path, url: str) -> None:
    from alembic import command

    config = alembic_config("kit", url)
    config.set_main_option("script_location", str(folder))
    command.upgrade(config, "head")
    command.upgrade(config, "head")  # a second run is a no-op


async def _tables(url: str) -> set[str]:
    db = Database(url)
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: set(c.dialect.get_table_names(c)))
        version = (await conn.exec_driver_sql("SELECT version_num FROM alembic_version")).scalar()
    await db.dispose()
    assert version == "0001"
    return names


async def test_run_env_migrates_sqlite(migrations: Path, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
    await asyncio.to_thread(_upgrade, migrations, url)
    assert "kit_widgets" in await _tables(url)


async def test_run_env_migrates_postgres_with_a_percent_in_the_url(migrations: Path) -> None:
    async with postgres_database() as url:
        # A password with a '%' (trust auth ignores it) must survive configparser.
        with_password = url.replace("://postgres@", "://postgres:p%25ss@", 1)
        await asyncio.to_thread(_upgrade, migrations, with_password)
        assert "kit_widgets" in await _tables(url)
