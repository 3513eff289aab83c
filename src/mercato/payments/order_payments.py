"""A shopper paying a pending order: the orders service runs the charge step of its saga.

Payments never takes an amount from the public: it asks the orders service to pay the order
(`POST /internal/orders/{id}/payments`), which charges the order's total through payments'
`/internal/charges` under the key `"pay:" + key`, and answers the order naming its payment.
Orders' refusals (404 not your order, 409 not pending or busy, 422) reach the shopper as
orders wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import PROBLEM_JSON, ServiceUnavailable
from mercato.kit.http import UpstreamClient
from mercato.payments.repository import PaymentRepository
from mercato.payments.schemas import PaymentCreate

PASSED_THROUGH = frozenset({404, 409, 422, 503})
"""Orders' answers the shopper sees unchanged (503: orders' own checkout was cut short, with
its `Retry-After`)."""


@dataclass(frozen=True)
class Paid:
    payment: dict[str, Any]


@dataclass(frozen=True)
class Refused:
    """The orders service's problem answer, to be passed on as it came."""

    status: int
    body: bytes
    headers: dict[str, str]


async def pay_order(
    orders: UpstreamClient,
    session: AsyncSession,
    user_id: str,
    request: PaymentCreate,
    key: str,
) -> Paid | Refused:
    """`key` is the caller's Idempotency-Key scoped to the caller (idempotency.caller_key)."""
    response = await orders.request(
        "POST",
        f"/internal/orders/{request.order_id}/payments",
        json={"user_id": user_id, "payment_method": request.payment_method, "key": key},
    )
    if response.status in PASSED_THROUGH:
        headers = {"content-type": response.headers.get("content-type", PROBLEM_JSON)}
        if "retry-after" in response.headers:
            headers["retry-after"] = response.headers["retry-after"]
        return Refused(response.status, response.body, headers)
    if response.status != 200:
        raise ServiceUnavailable(f"The orders service answered {response.status}.")
    try:
        order = response.json()
        payment_id = str(order["payment"]["id"])
    except (ValueError, TypeError, KeyError) as exc:
        raise ServiceUnavailable("The orders service answered without a payment.") from exc

    repository = PaymentRepository(session)
    payment = await repository.get(payment_id)
    if payment is None or payment["user_id"] != user_id:
        raise ServiceUnavailable("The orders service named a payment this service lacks.")
    return Paid((await repository.with_refunds([payment]))[0])
