"""The inbox: the event ids a consumer has handled, so a redelivered event is a no-op.

The relay (kit.outbox) delivers at least once. A consumer records the event's id in the same
transaction as the effect the event causes; a second delivery finds the id and changes
nothing. Racing deliveries of one event are serialised by the primary key: on PostgreSQL the
second INSERT waits for the first transaction and then does nothing, on SQLite writers queue
at BEGIN IMMEDIATE.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy import Column, DateTime, MetaData, String, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.background import PeriodicJob
from mercato.kit.db import Database
from mercato.kit.retention import delete_in_batches
from mercato.kit.types import utcnow

log = structlog.get_logger("mercato.inbox")


def inbox_table(metadata: MetaData, name: str = "inbox") -> Table:
    """The inbox table of one consumer's database, declared on that service's metadata."""
    return Table(
        name,
        metadata,
        Column("event_id", String(64), primary_key=True),
        Column("topic", String(100), nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
    )


async def first_delivery(session: AsyncSession, table: Table, event_id: str, topic: str) -> bool:
    """Record `event_id` in the caller's transaction: True the first time, False for a repeat."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    values = {"event_id": event_id, "topic": topic, "received_at": utcnow()}
    statement = (
        pg_insert(table).values(values).on_conflict_do_nothing()
        if dialect == "postgresql"
        else sqlite_insert(table).values(values).on_conflict_do_nothing()
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def purge_handled(
    database: Database, table: Table, older_than: timedelta, *, batch_size: int = 500
) -> int:
    """Forget ids handled more than `older_than` ago: longer than any producer keeps retrying
    (the relay dead-letters after its last attempt), so no redelivery can come after."""
    condition = table.c.received_at < utcnow() - older_than
    return await delete_in_batches(database, table, condition, batch_size=batch_size)


HANDLED_RETENTION = timedelta(days=7)
"""Far longer than any producer retries an event (the relay dead-letters within hours)."""


def inbox_housekeeping(
    database: Database, table: Table, *, service: str, interval: float = 3600.0
) -> PeriodicJob:
    """Forgets handled event ids older than `HANDLED_RETENTION`, hourly."""

    async def purge() -> None:
        purged = await purge_handled(database, table, HANDLED_RETENTION)
        if purged:
            log.info("inbox_purged", service=service, events=purged)

    return PeriodicJob(purge, f"inbox-housekeeping-{service}", interval=interval)
