"""The orders service's part of API.md, plus the internal payment-attempt body."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    field_validator,
)

from mercato.kit.schemas import Id, RequestModel, refuse_boolean

MAX_QUANTITY = 100
MAX_LINES = 50

OrderStatus = Literal["pending", "paid", "processing", "shipped", "delivered", "cancelled"]

_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def _rfc3339_text(value: object) -> object:
    # Pydantic alone would also take a Unix time ("1700000000"): API.md speaks RFC 3339 only.
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("must be an RFC 3339 timestamp with an offset, e.g. 2026-11-25T10:00:00Z")
    return value


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first representable instant
        raise ValueError("is out of range") from None


Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_in_utc)]
"""An instant a client sends, as RFC 3339 text; in UTC once read."""


Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalLine = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PostalCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Country = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=56)]


Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
PaymentMethod = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_]+$")
]


class ShippingAddress(RequestModel):
    name: Short
    line1: Line
    line2: OptionalLine | None = None
    city: Short
    postal_code: PostalCode
    country: Country


class OrderLineIn(RequestModel):
    product_id: Id
    quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY)]

    _no_booleans = field_validator("quantity", mode="before")(refuse_boolean)


class OrderCreate(RequestModel):
    items: Annotated[list[OrderLineIn], Field(min_length=1, max_length=MAX_LINES)]
    shipping_address: ShippingAddress
    payment_method: PaymentMethod | None = None


class StatusUpdate(RequestModel):
    status: OrderStatus
    note: Note | None = None


class CancelRequest(RequestModel):
    reason: Note | None = None


class PaymentAttempt(RequestModel):
    """The payments service, asking on a shopper's behalf to pay a pending order."""

    user_id: Id
    payment_method: PaymentMethod
    key: Annotated[str, StringConstraints(min_length=1, max_length=90)]


class OrderItemOut(BaseModel):
    product_id: str
    name: str
    sku: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal


class PaymentRef(BaseModel):
    id: str
    status: str
    failure_code: str | None


class StatusChangeOut(BaseModel):
    status: str
    at: datetime
    note: str | None


class OrderOut(BaseModel):
    id: str
    order_number: str
    user_id: str
    status: OrderStatus
    items: list[OrderItemOut]
    total_amount: Decimal
    currency: str
    shipping_address: dict[str, Any]
    payment: PaymentRef | None
    status_history: list[StatusChangeOut]
    created_at: datetime
    updated_at: datetime
