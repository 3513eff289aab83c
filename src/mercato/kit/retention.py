"""Deleting rows past their retention in bounded batches, safely from many instances at once.

Each batch is its own short transaction, so a purge of a large backlog never holds a long lock
or a huge transaction. On PostgreSQL a batch selects its rows `FOR UPDATE SKIP LOCKED`: two
instances purging at the same moment take disjoint rows instead of waiting on each other; on
SQLite `BEGIN IMMEDIATE` (see kit.db) serialises them. Deleting is idempotent either way.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Table, delete, select

from mercato.kit.db import Database

DEFAULT_BATCH_SIZE = 500


async def delete_in_batches(
    database: Database,
    table: Table,
    condition: ColumnElement[bool],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Delete every row of `table` matching `condition`; returns how many were deleted."""
    (key,) = table.primary_key.columns
    batch = select(key).where(condition).limit(batch_size).with_for_update(skip_locked=True)
    total = 0
    while True:
        async with database.engine.begin() as conn:
            ids = (await conn.execute(batch)).scalars().all()
            if ids:
                await conn.execute(delete(table).where(key.in_(ids)))
        total += len(ids)
        if len(ids) < batch_size:
            return total
