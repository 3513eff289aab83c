"""The products service's tables: categories, products and the stock reservations of orders."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mercato.kit.types import Money, UTCDateTime, new_id, utcnow

ReservationStatus = Literal["held", "confirmed", "released"]

# The rows a shopper may see: every public read filters on exactly this, and the listing
# indexes are partial on it, so the planner can use them.
VISIBLE = "deleted_at IS NULL AND is_active"


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Money()}


metadata = Base.metadata


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Product(Base):
    """`stock` is what can still be sold; `reserved` is held for unpaid orders and `sold` is
    confirmed. A reservation moves units between them, so `stock + reserved + sold` only
    changes when an admin sets the stock."""

    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    sku: Mapped[str] = mapped_column(String(64))
    stock: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    sold: Mapped[int] = mapped_column(Integer, default=0)
    image_url: Mapped[str | None] = mapped_column(String(2048))
    category_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("categories.id", ondelete="SET NULL")
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint("stock >= 0", name="ck_products_stock"),
        CheckConstraint("reserved >= 0", name="ck_products_reserved"),
        CheckConstraint("sold >= 0", name="ck_products_sold"),
        CheckConstraint("price > 0", name="ck_products_price"),
        # A deleted product's SKU may be used again; past orders refer to products by id.
        Index(
            "ix_products_sku",
            "sku",
            unique=True,
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_products_newest",
            text("created_at DESC"),
            "id",
            sqlite_where=text(VISIBLE),
            postgresql_where=text(VISIBLE),
        ),
        Index(
            "ix_products_price",
            "price",
            "id",
            sqlite_where=text(VISIBLE),
            postgresql_where=text(VISIBLE),
        ),
        Index(
            "ix_products_name",
            func.lower(text("name")),
            "id",
            sqlite_where=text(VISIBLE),
            postgresql_where=text(VISIBLE),
        ),
        Index(
            "ix_products_category",
            "category_id",
            text("created_at DESC"),
            sqlite_where=text(VISIBLE),
            postgresql_where=text(VISIBLE),
        ),
    )


class Reservation(Base):
    """Stock held for one order: at most one per order id, which makes reserving idempotent."""

    __tablename__ = "reservations"

    order_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="held")
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index(
            "ix_reservations_expiry",
            "expires_at",
            sqlite_where=text("status = 'held'"),
            postgresql_where=text("status = 'held'"),
        ),
    )


class ReservationLine(Base):
    __tablename__ = "reservation_lines"

    order_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("reservations.order_id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[str] = mapped_column(String(36), ForeignKey("products.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    # What the shopper was quoted: the order keeps these even if the catalog changes later.
    name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str] = mapped_column(String(64))
    unit_price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
