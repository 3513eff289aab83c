"""Alembic operations for the kit's own tables: the outbox (kit.outbox) and the inbox (kit.inbox).

The columns are written out here, not taken from `outbox_table`/`inbox_table`: a revision must
build the same schema forever, so when a kit table changes, each service gets a new revision
(with a new operation here) and these stay as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

_TIMESTAMP = sa.DateTime(timezone=True)


def create_outbox_table(name: str = "outbox") -> None:
    """The outbox as `outbox_table(metadata, name)` declares it, with the relay's index."""
    op.create_table(
        name,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", _TIMESTAMP, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("delivered_at", _TIMESTAMP, nullable=True),
    )
    op.create_index(f"ix_{name}_status_available_at", name, ["status", "available_at"])


def drop_outbox_table(name: str = "outbox") -> None:
    """Undo `create_outbox_table`; dropping the table drops its index with it."""
    op.drop_table(name)


def create_inbox_table(name: str = "inbox") -> None:
    """The inbox as `inbox_table(metadata, name)` declares it."""
    op.create_table(
        name,
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("topic", sa.String(100), nullable=False),
        sa.Column("received_at", _TIMESTAMP, nullable=False),
    )


def drop_inbox_table(name: str = "inbox") -> None:
    """Undo `create_inbox_table`."""
    op.drop_table(name)
