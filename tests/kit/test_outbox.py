"""The transactional outbox and its relay, on a throwaway table in a database of its own."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import MetaData, Table, select, update

from mercato.kit.db import Database
from mercato.kit.outbox import (
    OutboxEvent,
    OutboxRelay,
    dead_letters,
    enqueue,
    outbox_housekeeping,
    outbox_table,
    purge_delivered,
    requeue_dead,
    status_counts,
)


def new_outbox_table() -> Table:
    return outbox_table(MetaData(), f"outbox_{uuid.uuid4().hex[:12]}")


@pytest.fixture
async def table(database: Database) -> Table:
    """A fresh outbox table per test, so tests never see each other's events."""
    outbox = new_outbox_table()
    async with database.engine.begin() as conn:
        await conn.run_sync(outbox.metadata.create_all)
    return outbox


@pytest.fixture
def service() -> str:
    """A metrics label of this test's own, so counters start at zero."""
    return f"test-{uuid.uuid4().hex[:8]}"


class Consumer:
    """Records deliveries; fails the first `failures` deliveries of each event."""

    def __init__(self, failures: int = 0, pause: float = 0.0) -> None:
        self.failures = failures
        self.pause = pause
        self.calls: list[OutboxEvent] = []

    @property
    def delivered(self) -> list[str]:
        return [e.id for e in self.calls if e.attempts >= self.failures]

    async def __call__(self, event: OutboxEvent) -> None:
        self.calls.append(event)
        if self.pause:
            await asyncio.sleep(self.pause)
        if event.attempts < self.failures:
            raise ConnectionError(f"consumer down for {event.id}")


async def enqueue_committed(db: Database, table: Table, topic: str = "user.registered") -> str:
    async with db.sessions() as session:
        event_id = await enqueue(session, table, topic, {"email": f"{uuid.uuid4().hex}@ex.com"})
        await session.commit()
    return event_id


async def outbox_rows(db: Database, table: Table) -> dict[str, Any]:
    async with db.engine.connect() as conn:
        return {row.id: row for row in (await conn.execute(select(table))).all()}


def as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def metric(name: str, service: str) -> float:
    return REGISTRY.get_sample_value(name, {"service": service}) or 0.0


async def drain(relay: OutboxRelay) -> None:
    while await relay.run_once():
        pass


class TestEnqueue:
    async def test_rolled_back_event_is_never_delivered(
        self, database: Database, table: Table, service: str
    ) -> None:
        async with database.sessions() as session:
            await enqueue(session, table, "user.registered", {"email": "gone@ex.com"})
            await session.rollback()
        kept = await enqueue_committed(database, table)
        consumer = Consumer()

        await drain(OutboxRelay(database, table, consumer, service=service))

        assert consumer.delivered == [kept]
        assert list(await outbox_rows(database, table)) == [kept]

    async def test_committed_event_is_stored_pending(
        self, database: Database, table: Table
    ) -> None:
        async with database.sessions() as session:
            event_id = await enqueue(session, table, "user.registered", {"n": 1})
            await session.commit()

        row = (await outbox_rows(database, table))[event_id]
        assert (row.topic, row.payload, row.status, row.attempts) == (
            "user.registered",
            {"n": 1},
            "pending",
            0,
        )
        assert uuid.UUID(event_id).version == 4


class TestDelivery:
    async def test_committed_events_are_delivered_once_each_oldest_first(
        self, database: Database, table: Table, service: str
    ) -> None:
        ids = [await enqueue_committed(database, table) for _ in range(5)]
        consumer = Consumer()
        relay = OutboxRelay(database, table, consumer, service=service, batch_size=2)

        await drain(relay)
        assert await relay.run_once() == 0

        assert consumer.delivered == ids
        assert all(event.payload["email"].endswith("@ex.com") for event in consumer.calls)
        rows = await outbox_rows(database, table)
        assert {row.status for row in rows.values()} == {"delivered"}
        assert all(row.delivered_at is not None for row in rows.values())
        assert metric("mercato_outbox_delivered_total", service) == 5

    async def test_failing_consumer_is_retried_with_backoff_then_succeeds(
        self, database: Database, table: Table, service: str
    ) -> None:
        event_id = await enqueue_committed(database, table)
        consumer = Consumer(failures=2)
        relay = OutboxRelay(database, table, consumer, service=service, backoff=0.4)

        assert await relay.run_once() == 1
        failed_at = datetime.now(UTC)
        row = (await outbox_rows(database, table))[event_id]
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.last_error == f"ConnectionError: consumer down for {event_id}"
        # Equal jitter: half of the first delay (0.4 s) is certain, the rest random.
        wait = (as_utc(row.available_at) - failed_at).total_seconds()
        assert 0.1 < wait <= 0.4
        assert await relay.run_once() == 0  # not due yet

        await asyncio.sleep(0.45)
        assert await relay.run_once() == 1
        row = (await outbox_rows(database, table))[event_id]
        assert (row.status, row.attempts) == ("pending", 2)
        assert 0.2 < (as_utc(row.available_at) - datetime.now(UTC)).total_seconds() <= 0.8

        await asyncio.sleep(0.85)
        assert await relay.run_once() == 1
        row = (await outbox_rows(database, table))[event_id]
        assert (row.status, row.attempts, row.last_error) == ("delivered", 2, None)
        assert [event.attempts for event in consumer.calls] == [0, 1, 2]
        assert metric("mercato_outbox_delivery_failures_total", service) == 2
        assert metric("mercato_outbox_delivered_total", service) == 1

    async def test_event_is_dead_after_max_attempts_and_counted(
        self, database: Database, table: Table, service: str
    ) -> None:
        event_id = await enqueue_committed(database, table)
        consumer = Consumer(failures=100)
        relay = OutboxRelay(
            database, table, consumer, service=service, max_attempts=3, backoff=0.01
        )

        for _ in range(50):
            await relay.run_once()
            if (await outbox_rows(database, table))[event_id].status == "dead":
                break
            await asyncio.sleep(0.02)

        row = (await outbox_rows(database, table))[event_id]
        assert (row.status, row.attempts) == ("dead", 3)
        assert row.last_error.startswith("ConnectionError")
        assert len(consumer.calls) == 3
        assert await relay.run_once() == 0
        assert metric("mercato_outbox_dead_letters_total", service) == 1
        assert metric("mercato_outbox_delivery_failures_total", service) == 3

    async def test_concurrent_relays_deliver_each_event_exactly_once(
        self, database: Database, table: Table, service: str
    ) -> None:
        ids = [await enqueue_committed(database, table) for _ in range(60)]
        # A second process of the same service: its own engine and connections.
        other = Database(database.url)
        consumer = Consumer(pause=0.001)
        relays = [
            OutboxRelay(db, table, consumer, service=service, batch_size=5)
            for db in (database, database, other, other)
        ]
        try:
            await asyncio.gather(*(drain(relay) for relay in relays))
        finally:
            await other.dispose()

        assert Counter(consumer.delivered) == dict.fromkeys(ids, 1)
        rows = await outbox_rows(database, table)
        assert {row.status for row in rows.values()} == {"delivered"}


class TestBackgroundRelay:
    async def test_started_relay_delivers_on_wake_and_stops(
        self, database: Database, table: Table, service: str
    ) -> None:
        consumer = Consumer()
        relay = OutboxRelay(database, table, consumer, service=service, poll_interval=30)
        relay.start()
        try:
            await asyncio.sleep(0.05)  # the first poll finds nothing, then waits 30 s
            event_id = await enqueue_committed(database, table)
            await relay.wake()
            await wait_for(lambda: consumer.delivered == [event_id])
        finally:
            await relay.stop()
        await relay.stop()  # stopping twice is harmless

    async def test_relay_survives_errors_and_keeps_polling(
        self, database: Database, service: str
    ) -> None:
        missing = new_outbox_table()  # not created yet: every poll fails
        consumer = Consumer()
        relay = OutboxRelay(database, missing, consumer, service=service, poll_interval=0.05)
        relay.start()
        try:
            await asyncio.sleep(0.03)  # the first poll has failed
            async with database.engine.begin() as conn:
                await conn.run_sync(missing.metadata.create_all)
            event_id = await enqueue_committed(database, missing)
            await wait_for(lambda: consumer.delivered == [event_id])
        finally:
            await relay.stop()


async def wait_for(condition: Any, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def test_two_outboxes_in_one_database_have_distinct_index_names() -> None:
    metadata = MetaData()
    first, second = outbox_table(metadata), outbox_table(metadata, "orders_outbox")
    assert {index.name for index in first.indexes} == {"ix_outbox_status_available_at"}
    assert {index.name for index in second.indexes} == {"ix_orders_outbox_status_available_at"}


async def give_up_on_everything_pending(database: Database, table: Table) -> None:
    """Relay the pending events to a consumer that stays down, with no retry: all go dead."""
    relay = OutboxRelay(
        database, table, Consumer(failures=100), service="test-dead", max_attempts=1
    )
    await drain(relay)


class TestDeadLetters:
    async def test_requeued_events_are_delivered_again(
        self, database: Database, table: Table, service: str
    ) -> None:
        chosen = await enqueue_committed(database, table)
        other = await enqueue_committed(database, table)
        await give_up_on_everything_pending(database, table)
        assert await status_counts(database, table) == {"dead": 2}
        dead = await dead_letters(database, table)
        assert [(d.id, d.attempts) for d in dead] == [(chosen, 1), (other, 1)]
        assert dead[0].last_error == f"ConnectionError: consumer down for {chosen}"

        assert await requeue_dead(database, table, [chosen, str(uuid.uuid4())]) == 1
        row = (await outbox_rows(database, table))[chosen]
        assert (row.status, row.attempts) == ("pending", 0)

        consumer = Consumer()
        await drain(OutboxRelay(database, table, consumer, service=service))
        assert consumer.delivered == [chosen]
        assert await status_counts(database, table) == {"delivered": 1, "dead": 1}

        assert await requeue_dead(database, table) == 1
        await drain(OutboxRelay(database, table, consumer, service=service))
        assert consumer.delivered == [chosen, other]
        assert await requeue_dead(database, table) == 0

    async def test_purge_delivered_keeps_recent_and_undelivered_events(
        self, database: Database, table: Table, service: str
    ) -> None:
        ids = [await enqueue_committed(database, table) for _ in range(7)]
        await drain(OutboxRelay(database, table, Consumer(), service=service))
        waiting = await enqueue_committed(database, table)

        assert await purge_delivered(database, table, timedelta(hours=1)) == 0
        await asyncio.sleep(0.05)
        assert await purge_delivered(database, table, timedelta(0), batch_size=3) == len(ids)
        assert list(await outbox_rows(database, table)) == [waiting]

    async def test_housekeeping_purges_week_old_deliveries_in_the_background(
        self, database: Database, table: Table, service: str
    ) -> None:
        old, recent = [await enqueue_committed(database, table) for _ in range(2)]
        await drain(OutboxRelay(database, table, Consumer(), service=service))
        waiting = await enqueue_committed(database, table)
        async with database.engine.begin() as conn:
            eight_days_ago = datetime.now(UTC) - timedelta(days=8)
            await conn.execute(
                update(table).where(table.c.id == old).values(delivered_at=eight_days_ago)
            )

        job = outbox_housekeeping(database, table, service=service, interval=0.05)
        job.start()
        try:
            async with asyncio.timeout(10):
                while old in await outbox_rows(database, table):
                    await asyncio.sleep(0.05)
        finally:
            await job.stop()
        assert set(await outbox_rows(database, table)) == {recent, waiting}
