"""The orders service's tables: orders with their items and status history, and its outbox.

The order is the aggregate: its status changes only through its methods, which guard the
state machine of API.md and write the history. The saga's bookkeeping lives on the same row:
`step` names the step in progress (`placing`, `paying`, `cancelling`, or None when the order
is at rest) and `step_due_at` when the recovery loop may take it over.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from mercato.kit.outbox import outbox_table
from mercato.kit.types import Money, UTCDateTime, new_id, utcnow
from mercato.orders.errors import IllegalTransition

OrderStatus = Literal["pending", "paid", "processing", "shipped", "delivered", "cancelled"]
Step = Literal["placing", "paying", "cancelling"]

TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"paid", "cancelled"}),
    "paid": frozenset({"processing", "cancelled"}),
    "processing": frozenset({"shipped", "cancelled"}),
    "shipped": frozenset({"delivered"}),
    "delivered": frozenset(),
    "cancelled": frozenset(),
}
"""API.md's only legal moves."""


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Money()}


metadata = Base.metadata
outbox = outbox_table(metadata)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_number: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    total_amount: Mapped[Decimal] = mapped_column(default=Decimal("0.00"))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    shipping_address: Mapped[dict[str, Any]] = mapped_column(JSON)
    requested_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    """The lines as the client asked for them, kept until the stock is reserved and priced."""
    payment_method: Mapped[str | None] = mapped_column(String(64))
    charge_key: Mapped[str | None] = mapped_column(String(100))
    """The idempotency key of the charge in progress or last made."""
    payment_id: Mapped[str | None] = mapped_column(String(36))
    payment_status: Mapped[str | None] = mapped_column(String(24))
    payment_failure_code: Mapped[str | None] = mapped_column(String(64))
    step: Mapped[str | None] = mapped_column(String(16))
    step_due_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    """When a pending order stops waiting for its payment and is cancelled."""
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    items: Mapped[list[OrderItem]] = relationship(
        order_by="OrderItem.position", lazy="raise", cascade="all, delete-orphan"
    )
    history: Mapped[list[StatusChange]] = relationship(
        order_by="StatusChange.position", lazy="raise", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_orders_user_created", "user_id", text("created_at DESC")),
        Index("ix_orders_created", text("created_at DESC")),
        Index(
            "ix_orders_idempotency",
            "user_id",
            "idempotency_key",
            unique=True,
            sqlite_where=text("idempotency_key IS NOT NULL"),
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
        # The recovery loop's query: orders left mid-step.
        Index(
            "ix_orders_step_due",
            "step_due_at",
            sqlite_where=text("step IS NOT NULL"),
            postgresql_where=text("step IS NOT NULL"),
        ),
        # The lapse sweep's query: pending orders at rest, by deadline.
        Index(
            "ix_orders_pending_expiry",
            "expires_at",
            sqlite_where=text("status = 'pending' AND step IS NULL"),
            postgresql_where=text("status = 'pending' AND step IS NULL"),
        ),
    )

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, frozenset())

    def move_to(self, status: str, note: str | None = None) -> None:
        """The one way an order's status changes: illegal moves raise `IllegalTransition`,
        legal ones are written to the history."""
        if not self.can_move_to(status):
            raise IllegalTransition(self.status, status)
        self.status = status
        self.updated_at = utcnow()
        self.record(status, note, self.updated_at)

    def record(self, status: str, note: str | None, at: datetime) -> None:
        """Append a line to the status history (the items and history must be loaded)."""
        self.history.append(
            StatusChange(
                id=new_id(),
                order_id=self.id,
                position=len(self.history),
                status=status,
                note=note,
                at=at,
            )
        )

    @property
    def is_paid(self) -> bool:
        """A charge went through for this order (it may have been refunded since)."""
        return self.payment_id is not None and self.payment_failure_code is None


class OrderItem(Base):
    """A line as it was sold: name, SKU and price copied from the catalog at reservation."""

    __tablename__ = "order_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal]
    line_total: Mapped[Decimal]

    __table_args__ = (Index("ix_order_items_order", "order_id", "position"),)


class StatusChange(Base):
    __tablename__ = "order_status_history"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_order_status_history_order", "order_id", "position"),)
