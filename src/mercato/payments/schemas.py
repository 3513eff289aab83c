"""The payments service's part of API.md, plus the internal charge and refund bodies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from mercato.kit.pagination import Page
from mercato.kit.schemas import Id, RequestModel, refuse_boolean
from mercato.kit.types import CENT
from mercato.payments.models import PaymentStatus
from mercato.payments.processor import PaymentMethod

MAX_AMOUNT = Decimal("9999999999.99")  # NUMERIC(12,2)


def _two_places(value: Decimal) -> Decimal:
    return value.quantize(CENT)


Amount = Annotated[
    Decimal,
    BeforeValidator(refuse_boolean),
    Field(gt=0, le=MAX_AMOUNT, decimal_places=2),
    AfterValidator(_two_places),
]
# Documented as a UUID (kit's `Id` shows only its pattern), so clients and the fuzzer know.
Uuid = Annotated[Id, WithJsonSchema({"type": "string", "format": "uuid"})]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
# Printable ASCII, as Idempotency-Key allows: a key is compared byte for byte.
Key = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[\x20-\x7e]+$")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class PaymentCreate(RequestModel):
    """A shopper paying a pending order; the amount is the order's total, never sent."""

    order_id: Uuid
    payment_method: PaymentMethod


class RefundCreate(RequestModel):
    """An admin's refund: no amount means everything that remains."""

    amount: Amount | None = None
    reason: Reason | None = None


class ChargeRequest(RequestModel):
    """The orders service charging an order: the amount is the order's, from its database."""

    key: Key
    order_id: Uuid
    user_id: Uuid
    amount: Amount
    currency: Currency = "USD"
    payment_method: PaymentMethod


class RefundRequest(RequestModel):
    """The orders service refunding an order's payment (a cancellation)."""

    key: Key
    order_id: Uuid
    amount: Amount | None = None
    reason: Reason | None = None


class RefundOut(BaseModel):
    id: str
    payment_id: str
    amount: Decimal
    status: Literal["succeeded"]
    reason: str | None
    created_at: datetime


class PaymentOut(BaseModel):
    id: str
    order_id: str
    user_id: str
    amount: Decimal
    currency: str
    status: PaymentStatus
    payment_method: str
    transaction_id: str | None
    failure_code: str | None
    refunded_amount: Decimal
    refunds: list[RefundOut]
    created_at: datetime


class RefundResult(BaseModel):
    """The internal refund's answer: the payment as it now stands, and the refund made
    (None when nothing remained to refund)."""

    payment: PaymentOut
    refund: RefundOut | None


PaymentPage = Page[PaymentOut]
