"""Charging an order's card: once per key, and at most one successful charge per order.

The processor takes `payment_latency_seconds` to answer, so it is called outside any
transaction (a database lock held that long would queue every other writer): a charge is two
units of work. The first looks up what the key already settled; after the processor answered,
the second records the outcome in one transaction, so a charge is never half recorded.
Requests racing with one key all reach the processor (which gets the key as its own
idempotency key, as a real processor would), but the unique index on the key lets one insert
win; the others answer the winner's payment. A `processing_error` says nothing about the card,
so a repeat of its key charges again and updates the same row.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mercato.kit.db import Database
from mercato.kit.types import new_id, utcnow
from mercato.payments.errors import ChargeMismatch, OrderAlreadyPaid
from mercato.payments.metrics import PAYMENTS
from mercato.payments.processor import PROCESSING_ERROR, ChargeOutcome, MockCardProcessor
from mercato.payments.repository import PaymentRepository
from mercato.payments.schemas import ChargeRequest, PaymentOut

_SAME_CHARGE = ("order_id", "user_id", "amount", "currency", "payment_method")


@dataclass(frozen=True)
class Charged:
    payment: dict[str, Any]
    """The payment, with its refunds."""
    charged: bool
    """True when this call charged the card (201); False for a key already settled (200)."""


async def charge(
    database: Database, processor: MockCardProcessor, request: ChargeRequest
) -> Charged:
    """Commits its own two units of work (above), which is why it takes the database."""
    async with database.read_sessions() as session:
        settled = await _settled(PaymentRepository(session), request)
    if settled is not None:
        return Charged(settled, charged=False)

    outcome = await processor.charge(
        key=request.key,
        amount=request.amount,
        currency=request.currency,
        payment_method=request.payment_method,
    )
    async with database.sessions.begin() as session:
        charged = await _record(PaymentRepository(session), request, outcome)
    if charged.charged:
        PAYMENTS.labels(outcome.failure_code or "succeeded").inc()
    return charged


async def _settled(repository: PaymentRepository, request: ChargeRequest) -> dict[str, Any] | None:
    """The payment this key already settled, or None when the card is to be charged."""
    stored, paid = await repository.charge_state(request.key, request.order_id)
    if stored is not None:
        _check_same_charge(stored, request)
        if stored["failure_code"] != PROCESSING_ERROR:
            return await _view(repository, stored)
    if paid is not None:
        # Refused before the card is charged: no second charge of a paid order.
        raise await _already_paid(repository, paid)
    return None


async def _record(
    repository: PaymentRepository, request: ChargeRequest, outcome: ChargeOutcome
) -> Charged:
    now = utcnow()
    result = {
        "status": "succeeded" if outcome.succeeded else "failed",
        "transaction_id": outcome.transaction_id,
        "failure_code": outcome.failure_code,
    }
    payment = {
        "id": new_id(),
        "charge_key": request.key,
        "order_id": request.order_id,
        "user_id": request.user_id,
        "amount": request.amount,
        "currency": request.currency,
        "payment_method": request.payment_method,
        "refunded_amount": Decimal("0.00"),
        "created_at": now,
        "updated_at": now,
        **result,
    }
    if await repository.insert_payment(payment):
        return Charged({**payment, "refunds": []}, charged=True)

    # Refused by a unique index: the key's row, or the order's successful charge under
    # another key, committed since the first look.
    stored, paid = await repository.charge_state(request.key, request.order_id)
    if stored is None:
        assert paid is not None, "an insert refused with neither its key nor its order taken"
        raise await _already_paid(repository, paid)
    _check_same_charge(stored, request)
    if stored["failure_code"] != PROCESSING_ERROR:
        return Charged(await _view(repository, stored), charged=False)
    if paid is not None:
        raise await _already_paid(repository, paid)
    recharged = await repository.recharge(request.key, result, now)
    stored, paid = await repository.charge_state(request.key, request.order_id)
    if recharged == "order_paid":
        assert paid is not None
        raise await _already_paid(repository, paid)
    assert stored is not None
    return Charged(await _view(repository, stored), charged=recharged == "updated")


def _check_same_charge(stored: dict[str, Any], request: ChargeRequest) -> None:
    if any(stored[field] != getattr(request, field) for field in _SAME_CHARGE):
        raise ChargeMismatch


async def _already_paid(repository: PaymentRepository, paid: dict[str, Any]) -> OrderAlreadyPaid:
    view = PaymentOut.model_validate(await _view(repository, paid))
    return OrderAlreadyPaid(view.model_dump(mode="json"))


async def _view(repository: PaymentRepository, payment: dict[str, Any]) -> dict[str, Any]:
    return (await repository.with_refunds([payment]))[0]
