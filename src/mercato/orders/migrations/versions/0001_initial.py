"""Orders with their saga bookkeeping, order items, status history and the outbox.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from mercato.kit.migration_ops import create_outbox_table, drop_outbox_table
from mercato.kit.types import Money, UTCDateTime

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _partial(condition: str) -> dict[str, Any]:
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("order_number", sa.String(20), nullable=False, unique=True),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total_amount", Money(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("shipping_address", sa.JSON(), nullable=False),
        sa.Column("requested_lines", sa.JSON(), nullable=False),
        sa.Column("payment_method", sa.String(64), nullable=True),
        sa.Column("charge_key", sa.String(100), nullable=True),
        sa.Column("payment_id", sa.String(36), nullable=True),
        sa.Column("payment_status", sa.String(24), nullable=True),
        sa.Column("payment_failure_code", sa.String(64), nullable=True),
        sa.Column("step", sa.String(16), nullable=True),
        sa.Column("step_due_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("request_fingerprint", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_orders_user_created", "orders", ["user_id", sa.text("created_at DESC")])
    op.create_index("ix_orders_created", "orders", [sa.text("created_at DESC")])
    op.create_index(
        "ix_orders_idempotency",
        "orders",
        ["user_id", "idempotency_key"],
        unique=True,
        **_partial("idempotency_key IS NOT NULL"),
    )
    op.create_index("ix_orders_step_due", "orders", ["step_due_at"], **_partial("step IS NOT NULL"))
    op.create_index(
        "ix_orders_pending_expiry",
        "orders",
        ["expires_at"],
        **_partial("status = 'pending' AND step IS NULL"),
    )

    op.create_table(
        "order_items",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "order_id",
            sa.String(36),
            sa.ForeignKey("orders.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", Money(), nullable=False),
        sa.Column("line_total", Money(), nullable=False),
    )
    op.create_index("ix_order_items_order", "order_items", ["order_id", "position"])

    op.create_table(
        "order_status_history",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "order_id",
            sa.String(36),
            sa.ForeignKey("orders.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_order_status_history_order", "order_status_history", ["order_id", "position"]
    )

    create_outbox_table()


def downgrade() -> None:
    drop_outbox_table()
    op.drop_table("order_status_history")
    op.drop_table("order_items")
    op.drop_table("orders")
