"""The inbox: a consumer's record of handled event ids, and its housekeeping."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import MetaData, Table, select, update

from mercato.kit.db import Database
from mercato.kit.inbox import first_delivery, inbox_housekeeping, inbox_table, purge_handled
from mercato.kit.types import utcnow


async def new_inbox(database: Database) -> Table:
    inbox = inbox_table(MetaData(), f"inbox_{uuid.uuid4().hex[:12]}")
    async with database.engine.begin() as conn:
        await conn.run_sync(inbox.metadata.create_all)
    return inbox


async def deliver(database: Database, inbox: Table, event_id: str) -> bool:
    async with database.sessions() as session:
        first = await first_delivery(session, inbox, event_id, "order.paid")
        await session.commit()
    return first


async def handled(database: Database, inbox: Table) -> set[str]:
    async with database.engine.connect() as conn:
        return set((await conn.execute(select(inbox.c.event_id))).scalars())


async def age(database: Database, inbox: Table, event_id: str, by: timedelta) -> None:
    async with database.engine.begin() as conn:
        await conn.execute(
            update(inbox).where(inbox.c.event_id == event_id).values(received_at=utcnow() - by)
        )


async def test_an_event_is_first_delivered_once(database: Database) -> None:
    inbox = await new_inbox(database)
    outcomes = [await deliver(database, inbox, "evt-1") for _ in range(3)]
    assert outcomes == [True, False, False]


async def test_racing_deliveries_of_one_event_record_it_once(database: Database) -> None:
    inbox = await new_inbox(database)
    outcomes = await asyncio.gather(*(deliver(database, inbox, "evt-race") for _ in range(5)))
    assert sorted(outcomes) == [False] * 4 + [True]


async def test_purge_forgets_only_ids_older_than_the_retention(database: Database) -> None:
    inbox = await new_inbox(database)
    for event_id in ("old", "recent"):
        await deliver(database, inbox, event_id)
    await age(database, inbox, "old", timedelta(days=8))

    assert await purge_handled(database, inbox, timedelta(days=7)) == 1
    assert await handled(database, inbox) == {"recent"}


async def test_housekeeping_purges_in_the_background_until_stopped(database: Database) -> None:
    inbox = await new_inbox(database)
    for event_id in ("old", "recent"):
        await deliver(database, inbox, event_id)
    await age(database, inbox, "old", timedelta(days=8))

    job = inbox_housekeeping(database, inbox, service="test", interval=0.05)
    job.start()
    try:
        async with asyncio.timeout(10):
            while await handled(database, inbox) != {"recent"}:
                await asyncio.sleep(0.05)
    finally:
        await job.stop()
    assert await handled(database, inbox) == {"recent"}
