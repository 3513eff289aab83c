"""HTTP routes of the payments service: parse, call one use case, answer a schema."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status

from mercato.kit.auth import AdminPrincipal, CurrentPrincipal, require_service_token
from mercato.kit.deps import ReadSession, Session
from mercato.kit.pagination import PageLimit, PageNumber
from mercato.kit.responses import model_body, model_response
from mercato.payments import charges, history, order_payments, refunds
from mercato.payments.deps import Db, Idempotency, IdempotencyKey, Orders, Processor
from mercato.payments.idempotency import Answer, answer_once, caller_key
from mercato.payments.processor import PROCESSING_ERROR
from mercato.payments.schemas import (
    ChargeRequest,
    PaymentCreate,
    PaymentOut,
    PaymentPage,
    RefundCreate,
    RefundOut,
    RefundRequest,
    RefundResult,
)

public = APIRouter(prefix="/api/payments", tags=["payments"])
internal = APIRouter(
    prefix="/internal", tags=["internal"], dependencies=[Depends(require_service_token)]
)

PaymentId = Annotated[uuid.UUID, Path()]


@public.get("", response_model=PaymentPage)
async def list_payments(
    principal: CurrentPrincipal, session: ReadSession, page: PageNumber = 1, limit: PageLimit = 20
) -> PaymentPage:
    payments, total = await history.payment_page(session, principal, page, limit)
    return PaymentPage.of([PaymentOut.model_validate(p) for p in payments], total, page, limit)


@public.get("/{payment_id}", response_model=PaymentOut)
async def get_payment(
    payment_id: PaymentId, principal: CurrentPrincipal, session: ReadSession
) -> Response:
    return model_response(
        PaymentOut, await history.payment(session, principal, str(payment_id)), 200
    )


@public.post("", status_code=status.HTTP_201_CREATED, response_model=PaymentOut)
async def pay_order(
    body: PaymentCreate,
    request: Request,
    principal: CurrentPrincipal,
    key: IdempotencyKey,
    session: ReadSession,
    orders: Orders,
    store: Idempotency,
) -> Response:
    """Pays the caller's pending order with a test card; the amount is the order's total."""

    async def attempt() -> Answer:
        outcome = await order_payments.pay_order(
            orders, session, principal.user_id, body, caller_key(principal.user_id, key)
        )
        if isinstance(outcome, order_payments.Refused):
            return Answer(outcome.status, outcome.body, outcome.headers, remember=False)
        # A processing error is worth retrying with the same key: it is not remembered.
        retryable = outcome.payment["failure_code"] == PROCESSING_ERROR
        return Answer(201, model_body(PaymentOut, outcome.payment), remember=not retryable)

    return await answer_once(store, request, principal.user_id, key, attempt)


@public.post("/{payment_id}/refund", status_code=status.HTTP_201_CREATED, response_model=RefundOut)
async def refund_payment(
    payment_id: PaymentId,
    request: Request,
    principal: AdminPrincipal,
    key: IdempotencyKey,
    database: Db,
    processor: Processor,
    store: Idempotency,
    body: RefundCreate | None = None,
) -> Response:
    """Refunds `amount` of the payment, or everything that remains."""
    wanted = body or RefundCreate()

    async def attempt() -> Answer:
        refunded = await refunds.refund_payment(
            database,
            processor,
            str(payment_id),
            f"admin-refund:{caller_key(principal.user_id, key)}",
            wanted.amount,
            wanted.reason,
        )
        return Answer(201, model_body(RefundOut, refunded.refund), replayed=not refunded.created)

    return await answer_once(store, request, principal.user_id, key, attempt)


@internal.post(
    "/charges",
    status_code=status.HTTP_201_CREATED,
    response_model=PaymentOut,
    responses={200: {"model": PaymentOut, "description": "The key's charge, already made"}},
)
async def charge(body: ChargeRequest, database: Db, processor: Processor) -> Response:
    """Charges the order's card once per key: 201 when this call charged it, 200 with the
    stored payment when the key was settled before."""
    charged = await charges.charge(database, processor, body)
    return model_response(PaymentOut, charged.payment, 201 if charged.charged else 200)


@internal.post(
    "/refunds",
    status_code=status.HTTP_201_CREATED,
    response_model=RefundResult,
    responses={200: {"model": RefundResult, "description": "A repeat, or nothing to refund"}},
)
async def refund_order(body: RefundRequest, session: Session, processor: Processor) -> Response:
    """Refunds the order's payment once per key: `amount`, or everything that remains."""
    refunded = await refunds.refund_order(session, processor, body)
    result = {"payment": refunded.payment, "refund": refunded.refund}
    return model_response(RefundResult, result, 201 if refunded.created else 200)
