"""Payments, refunds and the outbox.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mercato.kit.migration_ops import create_outbox_table, drop_outbox_table
from mercato.kit.types import Money, UTCDateTime

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUCCESSFUL = sa.text("failure_code IS NULL")


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("charge_key", sa.String(255), nullable=False),
        sa.Column("order_id", sa.String(36), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("payment_method", sa.String(64), nullable=False),
        sa.Column("transaction_id", sa.String(64), nullable=True),
        sa.Column("failure_code", sa.String(32), nullable=True),
        sa.Column("refunded_amount", Money(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name="ck_payments_amount"),
        sa.CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= amount", name="ck_payments_refunded"
        ),
    )
    op.create_index("ix_payments_charge_key", "payments", ["charge_key"], unique=True)
    op.create_index(
        "ix_payments_order_paid",
        "payments",
        ["order_id"],
        unique=True,
        sqlite_where=SUCCESSFUL,
        postgresql_where=SUCCESSFUL,
    )
    op.create_index("ix_payments_user_created", "payments", ["user_id", "created_at"])
    op.create_index("ix_payments_created", "payments", ["created_at"])

    op.create_table(
        "refunds",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("refund_key", sa.String(255), nullable=False),
        sa.Column("payment_id", sa.String(36), sa.ForeignKey("payments.id"), nullable=False),
        sa.Column("amount", Money(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount > 0", name="ck_refunds_amount"),
    )
    op.create_index("ix_refunds_refund_key", "refunds", ["refund_key"], unique=True)
    op.create_index("ix_refunds_payment_id", "refunds", ["payment_id", "created_at"])

    create_outbox_table()


def downgrade() -> None:
    drop_outbox_table()
    op.drop_table("refunds")
    op.drop_table("payments")
