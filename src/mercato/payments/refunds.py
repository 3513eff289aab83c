"""Refunding a payment, by the order it paid (the orders service) or by its id (an admin).

Every refund of a payment runs under a lock on its row (PostgreSQL's `FOR UPDATE`; SQLite's
writers are serialised from `BEGIN IMMEDIATE`), and the money moves through one conditional
update as well, so concurrent refunds never give back more than was charged. The refund, the
payment's new status and its `payment.refunded` event are one transaction. A refund is named
by its caller's key: a repeat answers the refund the key made and moves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.db import Database
from mercato.kit.outbox import enqueue
from mercato.kit.types import new_id, utcnow
from mercato.payments.errors import (
    PaymentNotFound,
    PaymentNotRefundable,
    RefundExceedsRemaining,
    RefundMismatch,
)
from mercato.payments.metrics import REFUNDS
from mercato.payments.models import outbox
from mercato.payments.processor import MockCardProcessor
from mercato.payments.repository import PaymentRepository
from mercato.payments.schemas import RefundRequest

REFUNDED_TOPIC = "payment.refunded"


@dataclass(frozen=True)
class Refunded:
    payment: dict[str, Any]
    """The payment as it now stands, with its refunds."""
    refund: dict[str, Any] | None
    """The refund the key made; None when nothing remained to refund."""
    created: bool
    """True when this call made the refund; False for a repeat of its key (or nothing made)."""


async def refund_order(
    session: AsyncSession, processor: MockCardProcessor, request: RefundRequest
) -> Refunded:
    """Refunds the order's successful payment: `amount`, or everything that remains."""
    repository = PaymentRepository(session)
    payment = await repository.successful_for_order(request.order_id, lock=True)
    if payment is None:
        raise PaymentNotFound("This order has no successful payment.")
    return await _refund(
        repository, processor, payment, request.key, request.amount, request.reason
    )


async def refund_payment(
    database: Database,
    processor: MockCardProcessor,
    payment_id: str,
    key: str,
    amount: Decimal | None,
    reason: str | None,
) -> Refunded:
    """An admin's refund, committed before it returns: the public route stores its answer
    for replays only once the refund it describes is durable."""
    async with database.sessions.begin() as session:
        repository = PaymentRepository(session)
        payment = await repository.get(payment_id, lock=True)
        if payment is None:
            raise PaymentNotFound
        refunded = await _refund(repository, processor, payment, key, amount, reason)
        if refunded.refund is None:
            # Nothing remains, and the admin asked for the rest: nothing is a refund too big.
            raise RefundExceedsRemaining(Decimal("0.00"))
    return refunded


async def _refund(
    repository: PaymentRepository,
    processor: MockCardProcessor,
    payment: dict[str, Any],
    key: str,
    amount: Decimal | None,
    reason: str | None,
) -> Refunded:
    stored = await repository.refund_by_key(key)
    if stored is not None:
        if stored["payment_id"] != payment["id"] or amount not in (None, stored["amount"]):
            raise RefundMismatch
        return Refunded(await _view(repository, payment["id"]), stored, created=False)
    if payment["failure_code"] is not None:
        raise PaymentNotRefundable

    remaining: Decimal = payment["amount"] - payment["refunded_amount"]
    if amount is None and not remaining:
        return Refunded(await _view(repository, payment["id"]), None, created=False)
    wanted = remaining if amount is None else amount
    if wanted > remaining:
        raise RefundExceedsRemaining(remaining)

    now = utcnow()
    status = await repository.add_refunded(payment["id"], wanted, now)
    if status is None:  # unreachable under the row lock; the update re-checks all the same
        raise RefundExceedsRemaining(remaining)
    refund = {
        "id": new_id(),
        "refund_key": key,
        "payment_id": payment["id"],
        "amount": wanted,
        "status": "succeeded",
        "reason": reason,
        "created_at": now,
    }
    if not await repository.insert_refund(refund):
        # A concurrent refund of another payment took this key first.
        raise RefundMismatch
    # Inside the transaction, after the database agreed: a processor failure rolls the
    # refund back, and the processor is never asked for money the payment does not have.
    await processor.refund(key=key, transaction_id=payment["transaction_id"], amount=wanted)
    refunded_total = payment["refunded_amount"] + wanted
    await enqueue(
        repository.session,
        outbox,
        REFUNDED_TOPIC,
        {
            "refund_id": refund["id"],
            "payment_id": payment["id"],
            "order_id": payment["order_id"],
            "user_id": payment["user_id"],
            "amount": str(wanted),
            "currency": payment["currency"],
            "refunded_total": str(refunded_total),
            "remaining": str(payment["amount"] - refunded_total),
            "reason": reason,
        },
    )
    REFUNDS.labels(status).inc()
    refund.pop("refund_key")
    return Refunded(await _view(repository, payment["id"]), refund, created=True)


async def _view(repository: PaymentRepository, payment_id: str) -> dict[str, Any]:
    payment = await repository.get(payment_id)
    assert payment is not None
    return (await repository.with_refunds([payment]))[0]
