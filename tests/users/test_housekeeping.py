"""The periodic purge: what goes, what must stay (reuse detection), several instances at once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, insert, select

from mercato.kit.db import Database
from mercato.kit.outbox import DEAD, DELIVERED, PENDING
from mercato.kit.settings import Settings
from mercato.kit.types import utcnow
from mercato.users.housekeeping import Housekeeping
from mercato.users.models import OneTimeToken, RefreshToken, outbox

from .support import refresh, register

DAY = timedelta(days=1)


@pytest.fixture
async def database(users_app: FastAPI) -> Database:
    db: Database = users_app.state.db
    return db


@pytest.fixture
async def user_id(client: httpx.AsyncClient) -> str:
    return str((await register(client))["user"]["id"])


async def add_refresh_token(
    database: Database,
    user_id: str,
    *,
    family_id: str | None = None,
    expires_in: timedelta = 30 * DAY,
    used_ago: timedelta | None = None,
    revoked_ago: timedelta | None = None,
) -> str:
    now = utcnow()
    token = RefreshToken(
        token_hash=uuid.uuid4().hex,
        family_id=family_id or str(uuid.uuid4()),
        user_id=user_id,
        expires_at=now + expires_in,
        used_at=None if used_ago is None else now - used_ago,
        revoked_at=None if revoked_ago is None else now - revoked_ago,
    )
    async with database.sessions.begin() as session:
        session.add(token)
    return token.id


async def add_one_time_token(
    database: Database, user_id: str, *, expires_in: timedelta, used_ago: timedelta | None = None
) -> str:
    now = utcnow()
    token = OneTimeToken(
        token_hash=uuid.uuid4().hex,
        purpose="password_reset",
        user_id=user_id,
        expires_at=now + expires_in,
        used_at=None if used_ago is None else now - used_ago,
    )
    async with database.sessions.begin() as session:
        session.add(token)
    return token.id


async def add_event(database: Database, status: str, age: timedelta) -> str:
    """An event of the app's own outbox. A pending one is not due for a day, so the running
    relay leaves it alone."""
    event_id = str(uuid.uuid4())
    at = utcnow() - age
    due = utcnow() + DAY if status == PENDING else at
    async with database.engine.begin() as conn:
        await conn.execute(
            insert(outbox).values(
                id=event_id,
                topic="test.housekeeping",
                payload={},
                status=status,
                attempts=0,
                available_at=due,
                created_at=at,
                delivered_at=at if status == DELIVERED else None,
            )
        )
    return event_id


async def remaining(database: Database, ids: list[str]) -> set[str]:
    """Which of `ids` still exist, in any of the purged tables."""
    found: set[str] = set()
    async with database.engine.connect() as conn:
        for column in (RefreshToken.id, OneTimeToken.id, outbox.c.id):
            found |= set((await conn.execute(select(column).where(column.in_(ids)))).scalars())
    return found


class TestWhatIsPurged:
    async def test_refresh_tokens(self, database: Database, user_id: str) -> None:
        live_family = str(uuid.uuid4())
        gone = [
            await add_refresh_token(database, user_id, expires_in=-8 * DAY, used_ago=20 * DAY),
            await add_refresh_token(database, user_id, expires_in=-8 * DAY),
            # A family revoked long ago, with nothing alive left in it.
            await add_refresh_token(database, user_id, revoked_ago=8 * DAY, used_ago=9 * DAY),
        ]
        kept = [
            # Expired, but not yet for the whole retention period.
            await add_refresh_token(database, user_id, expires_in=-6 * DAY),
            # Spent but unexpired: its family is alive, and presenting it must revoke that.
            await add_refresh_token(database, user_id, used_ago=20 * DAY),
            # Revoked recently.
            await add_refresh_token(database, user_id, revoked_ago=2 * DAY),
            # Revoked long ago, but its family still holds an unrevoked, unexpired token.
            await add_refresh_token(database, user_id, family_id=live_family, revoked_ago=8 * DAY),
            await add_refresh_token(database, user_id, family_id=live_family),
        ]

        purged = await Housekeeping(database).run_once()

        assert await remaining(database, gone + kept) == set(kept)
        assert purged.refresh_tokens >= len(gone)

    async def test_one_time_tokens(self, database: Database, user_id: str) -> None:
        gone = [
            await add_one_time_token(database, user_id, expires_in=-2 * DAY),
            await add_one_time_token(
                database, user_id, expires_in=timedelta(hours=-47), used_ago=2 * DAY
            ),
        ]
        kept = [
            await add_one_time_token(database, user_id, expires_in=timedelta(hours=-1)),
            await add_one_time_token(
                database, user_id, expires_in=timedelta(hours=1), used_ago=timedelta(minutes=5)
            ),
            await add_one_time_token(database, user_id, expires_in=timedelta(hours=1)),
        ]

        purged = await Housekeeping(database).run_once()

        assert await remaining(database, gone + kept) == set(kept)
        assert purged.one_time_tokens >= len(gone)

    async def test_outbox_events(self, database: Database) -> None:
        gone = [await add_event(database, DELIVERED, 8 * DAY)]
        kept = [
            await add_event(database, DELIVERED, 6 * DAY),
            # Dead letters wait for an operator (`mercato outbox requeue`), however old.
            await add_event(database, DEAD, 30 * DAY),
            await add_event(database, PENDING, 30 * DAY),
        ]

        purged = await Housekeeping(database).run_once()

        assert await remaining(database, gone + kept) == set(kept)
        assert purged.outbox_events >= len(gone)
        async with database.engine.begin() as conn:
            await conn.execute(delete(outbox).where(outbox.c.id.in_(kept)))


async def test_reuse_detection_survives_a_purge(
    client: httpx.AsyncClient, database: Database
) -> None:
    first = await register(client)
    second = await refresh(client, first["refresh_token"])
    assert second.status_code == 200

    await Housekeeping(database).run_once()

    replay = await refresh(client, first["refresh_token"])
    assert replay.status_code == 401
    # ...and, as before the purge, it ended the family: the newer token is dead too.
    assert (await refresh(client, second.json()["refresh_token"])).status_code == 401


@pytest.fixture
async def other_instance(users_settings: Settings) -> AsyncIterator[Database]:
    """The database as another process of the service sees it: an engine of its own."""
    db = Database(users_settings.database_url("users"))
    yield db
    await db.dispose()


async def test_instances_purging_at_once_share_the_work(
    database: Database, other_instance: Database, user_id: str
) -> None:
    old = [await add_event(database, DELIVERED, 10 * DAY) for _ in range(12)]
    old += [await add_refresh_token(database, user_id, expires_in=-10 * DAY) for _ in range(12)]

    results = await asyncio.gather(
        Housekeeping(database, batch_size=5).run_once(),
        Housekeeping(other_instance, batch_size=5).run_once(),
    )

    assert await remaining(database, old) == set()
    assert sum(r.outbox_events for r in results) >= 12
    assert sum(r.refresh_tokens for r in results) >= 12


async def test_runs_in_the_background_until_stopped(database: Database) -> None:
    event = await add_event(database, DELIVERED, 10 * DAY)
    housekeeping = Housekeeping(database, interval=0.05)
    housekeeping.start()
    try:
        deadline = asyncio.get_running_loop().time() + 10
        while await remaining(database, [event]):
            assert asyncio.get_running_loop().time() < deadline, "never purged"
            await asyncio.sleep(0.02)
    finally:
        await housekeeping.stop()
    after_stop = await add_event(database, DELIVERED, 10 * DAY)
    await asyncio.sleep(0.2)
    assert await remaining(database, [after_stop]) == {after_stop}
