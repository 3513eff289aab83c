"""The transactional outbox: integration events written with the state change, relayed after.

A service inserts an event with `enqueue` in the same transaction as the change it announces,
so a rollback discards both. An `OutboxRelay` then delivers committed events **at least once**:
a relay that crashes after delivering but before recording it, or a delivery slower than the
claim lease, delivers the event again. Consumers must therefore be idempotent, keyed by the
event id: they keep an inbox of handled ids (kit.inbox, kit.events.event_receiver).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from prometheus_client import Counter
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from mercato.kit.background import PeriodicJob, PollingWorker
from mercato.kit.db import Database
from mercato.kit.retention import delete_in_batches

PENDING = "pending"
DELIVERED = "delivered"
DEAD = "dead"

DELIVERED_EVENTS = Counter(
    "mercato_outbox_delivered_total",
    "Outbox events delivered to their consumer, by service.",
    ["service"],
)
FAILED_DELIVERIES = Counter(
    "mercato_outbox_delivery_failures_total",
    "Outbox delivery attempts that raised, by service (each is retried or dead-lettered).",
    ["service"],
)
DEAD_LETTERS = Counter(
    "mercato_outbox_dead_letters_total",
    "Outbox events given up after max_attempts failed deliveries, by service.",
    ["service"],
)

_MAX_ERROR_CHARS = 2000
log = structlog.get_logger("mercato.outbox")


def _now() -> datetime:
    return datetime.now(UTC)


def outbox_table(metadata: MetaData, name: str = "outbox") -> Table:
    """The outbox table of one service's database, declared on that service's metadata."""
    return Table(
        name,
        metadata,
        Column("id", String(36), primary_key=True),
        Column("topic", String(100), nullable=False),
        Column("payload", JSON, nullable=False),
        Column("status", String(16), nullable=False, default=PENDING),
        Column("attempts", Integer, nullable=False, default=0),
        Column("available_at", DateTime(timezone=True), nullable=False),
        Column("last_error", Text, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("delivered_at", DateTime(timezone=True), nullable=True),
        # The relay's only query: due pending events.
        Index(f"ix_{name}_status_available_at", "status", "available_at"),
    )


async def enqueue(session: AsyncSession, table: Table, topic: str, payload: dict[str, Any]) -> str:
    """Record an event in the caller's transaction; it is relayed only if that commits."""
    event_id = str(uuid.uuid4())
    now = _now()
    await session.execute(
        insert(table).values(
            id=event_id,
            topic=topic,
            payload=payload,
            status=PENDING,
            attempts=0,
            available_at=now,
            created_at=now,
        )
    )
    return event_id


@dataclass(frozen=True)
class OutboxEvent:
    id: str
    topic: str
    payload: dict[str, Any]
    attempts: int
    """Failed deliveries so far (0 on the first try)."""


Deliver = Callable[[OutboxEvent], Awaitable[None]]


def retry_delay(attempts: int, base: float, cap: float) -> float:
    """Seconds before retry number `attempts` (1 = after the first failure).

    Exponential with "equal jitter": half the capped exponential delay is guaranteed, the other
    half is random, so retries of events that failed together spread out while the minimum wait
    still grows. A formula rather than tenacity's `wait_exponential_jitter`: tenacity's waits
    read a `RetryCallState` living in one process's retry loop, whereas the retry state here
    is the row (its `attempts`), shared by every relay process.
    """
    ceiling = min(cap, base * 2.0 ** max(0, attempts - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


class OutboxRelay(PollingWorker):
    """Delivers a table's due events: claim a batch, deliver each, record the outcome.

    A claim is a short transaction that pushes the claimed events' `available_at` forward by
    `lease` seconds: other relays (other processes of the same service) skip them, and if this
    relay dies mid-delivery they become due again when the lease runs out. On PostgreSQL the
    claim selects `FOR UPDATE SKIP LOCKED`, so relays claiming at the same moment take disjoint
    batches instead of queueing; on SQLite `BEGIN IMMEDIATE` (see kit.db) serialises claims.
    Delivery runs outside any transaction, so a slow consumer never holds a database lock.
    """

    def __init__(
        self,
        database: Database,
        table: Table,
        deliver: Deliver,
        *,
        service: str,
        poll_interval: float = 0.5,
        max_attempts: int = 8,
        batch_size: int = 50,
        backoff: float = 2.0,
        max_backoff: float = 300.0,
        lease: float = 60.0,
        gather: float = 0.01,
    ) -> None:
        super().__init__(
            f"outbox-relay-{service}",
            poll_interval=poll_interval,
            batch_size=batch_size,
            gather=gather,
        )
        self._db = database
        self._table = table
        self._deliver = deliver
        self.service = service
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.lease = lease

    async def run_once(self) -> int:
        """Claim and deliver one batch of due events; returns how many were claimed."""
        events = await self._claim()
        delivered: list[OutboxEvent] = []
        for event in events:
            try:
                await self._deliver(event)
            except Exception as exc:  # any consumer failure is retried, never fatal
                await self._record_failure(event, exc)
            else:
                delivered.append(event)
        # One transaction marks the batch: a crash before it redelivers these events, which
        # at-least-once delivery allows (consumers skip what their inbox has seen).
        await self._record_deliveries(delivered)
        return len(events)

    async def _claim(self) -> list[OutboxEvent]:
        t = self._table
        now = _now()
        due = (
            select(t.c.id, t.c.topic, t.c.payload, t.c.attempts)
            .where(t.c.status == PENDING, t.c.available_at <= now)
            .order_by(t.c.created_at, t.c.id)
            .limit(self.batch_size)
            .with_for_update(skip_locked=True)
        )
        async with self._db.engine.begin() as conn:
            rows = (await conn.execute(due)).all()
            if rows:
                await conn.execute(
                    update(t)
                    .where(t.c.id.in_([row.id for row in rows]))
                    .values(available_at=now + timedelta(seconds=self.lease))
                )
        return [OutboxEvent(row.id, row.topic, row.payload, row.attempts) for row in rows]

    async def _record_deliveries(self, events: list[OutboxEvent]) -> None:
        if not events:
            return
        t = self._table
        async with self._db.engine.begin() as conn:
            # Only pending events change: a relay whose lease ran out must not undo the
            # outcome another relay recorded in the meantime.
            await conn.execute(
                update(t)
                .where(t.c.id.in_([event.id for event in events]), t.c.status == PENDING)
                .values(status=DELIVERED, delivered_at=_now(), last_error=None)
            )
        DELIVERED_EVENTS.labels(self.service).inc(len(events))

    async def _record_failure(self, event: OutboxEvent, exc: Exception) -> None:
        attempts = event.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_CHARS]
        FAILED_DELIVERIES.labels(self.service).inc()
        async with self._db.engine.begin() as conn:
            if attempts >= self.max_attempts:
                await self._mark(conn, event, status=DEAD, attempts=attempts, last_error=error)
                DEAD_LETTERS.labels(self.service).inc()
                log.error(
                    "outbox_dead_letter",
                    event_id=event.id,
                    topic=event.topic,
                    attempts=attempts,
                    error=error,
                )
                return
            delay = retry_delay(attempts, self.backoff, self.max_backoff)
            await self._mark(
                conn,
                event,
                attempts=attempts,
                last_error=error,
                available_at=_now() + timedelta(seconds=delay),
            )
        log.warning(
            "outbox_delivery_failed",
            event_id=event.id,
            topic=event.topic,
            attempts=attempts,
            retry_in=round(delay, 3),
            error=error,
        )

    async def _mark(self, conn: AsyncConnection, event: OutboxEvent, **values: Any) -> None:
        # Only a pending event changes: a relay whose lease ran out must not undo the outcome
        # another relay recorded in the meantime.
        t = self._table
        await conn.execute(
            update(t).where(t.c.id == event.id, t.c.status == PENDING).values(values)
        )

    def pass_failed(self) -> None:
        log.exception("outbox_relay_error", service=self.service)


# Operations: what an operator (the `mercato outbox` command) and housekeeping do to a table.


@dataclass(frozen=True)
class DeadLetter:
    id: str
    topic: str
    attempts: int
    last_error: str | None
    created_at: datetime


async def status_counts(database: Database, table: Table) -> dict[str, int]:
    """How many events the table holds in each status (statuses with none are left out)."""
    query = select(table.c.status, func.count()).group_by(table.c.status)
    async with database.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return {status: count for status, count in rows}


async def dead_letters(database: Database, table: Table, limit: int = 100) -> list[DeadLetter]:
    """The oldest `limit` events the relay gave up on."""
    t = table
    query = (
        select(t.c.id, t.c.topic, t.c.attempts, t.c.last_error, t.c.created_at)
        .where(t.c.status == DEAD)
        .order_by(t.c.created_at, t.c.id)
        .limit(limit)
    )
    async with database.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    return [DeadLetter(*row) for row in rows]


async def requeue_dead(database: Database, table: Table, ids: list[str] | None = None) -> int:
    """Put dead events (those of `ids`, or all when None) back to pending with their attempts
    reset, due now; returns how many were requeued. `last_error` stays until a delivery
    succeeds, so the reason it died is still visible while it is retried."""
    t = table
    query = update(t).where(t.c.status == DEAD)
    if ids is not None:
        query = query.where(t.c.id.in_(ids))
    async with database.engine.begin() as conn:
        result = await conn.execute(query.values(status=PENDING, attempts=0, available_at=_now()))
    return result.rowcount


async def purge_delivered(
    database: Database, table: Table, older_than: timedelta, *, batch_size: int = 500
) -> int:
    """Delete events delivered more than `older_than` ago; returns how many were deleted.
    Consumers dedupe by event id, so a delivered row is only worth keeping while someone may
    still want to look at it."""
    t = table
    cutoff = _now() - older_than
    condition = (t.c.status == DELIVERED) & (t.c.delivered_at < cutoff)
    return await delete_in_batches(database, t, condition, batch_size=batch_size)


DELIVERED_RETENTION = timedelta(days=7)
"""How long delivered events are kept (to look into what was sent) before housekeeping."""


def outbox_housekeeping(
    database: Database, table: Table, *, service: str, interval: float = 3600.0
) -> PeriodicJob:
    """Purges the service's delivered events older than `DELIVERED_RETENTION`, hourly.
    Pending and dead-lettered events are never purged."""

    async def purge() -> None:
        purged = await purge_delivered(database, table, DELIVERED_RETENTION)
        if purged:
            log.info("outbox_purged", service=service, events=purged)

    return PeriodicJob(purge, f"outbox-housekeeping-{service}", interval=interval)
