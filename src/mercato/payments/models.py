"""The payments service's tables: payments (one row per charge key), refunds, and the outbox."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mercato.kit.outbox import outbox_table
from mercato.kit.types import Money, UTCDateTime, new_id, utcnow

PaymentStatus = Literal["succeeded", "failed", "refunded", "partially_refunded"]

SUCCESSFUL = "failure_code IS NULL"
"""A charge that went through: refunded or not, it is the order's payment."""


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Money()}


metadata = Base.metadata
outbox = outbox_table(metadata)


class Payment(Base):
    """One charge attempt, named by the caller's idempotency key (`charge_key`). A failed
    attempt keeps its row; only a `processing_error` one is charged again under its key."""

    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    charge_key: Mapped[str] = mapped_column(String(255))
    order_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[str] = mapped_column(String(36))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(24))
    payment_method: Mapped[str] = mapped_column(String(64))
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    failure_code: Mapped[str | None] = mapped_column(String(32))
    refunded_amount: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("amount > 0", name="ck_payments_amount"),
        CheckConstraint(
            "refunded_amount >= 0 AND refunded_amount <= amount", name="ck_payments_refunded"
        ),
        Index("ix_payments_charge_key", "charge_key", unique=True),
        # At most one successful charge per order, whatever the keys: the database refuses
        # the second, so no race between two keys can charge an order twice.
        Index(
            "ix_payments_order_paid",
            "order_id",
            unique=True,
            sqlite_where=text(SUCCESSFUL),
            postgresql_where=text(SUCCESSFUL),
        ),
        Index("ix_payments_user_created", "user_id", "created_at"),
        Index("ix_payments_created", "created_at"),
    )


class Refund(Base):
    """Money given back from one payment, named by the caller's idempotency key."""

    __tablename__ = "refunds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    refund_key: Mapped[str] = mapped_column(String(255))
    payment_id: Mapped[str] = mapped_column(String(36), ForeignKey("payments.id"))
    amount: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(16), default="succeeded")
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("amount > 0", name="ck_refunds_amount"),
        Index("ix_refunds_refund_key", "refund_key", unique=True),
        Index("ix_refunds_payment_id", "payment_id", "created_at"),
    )
