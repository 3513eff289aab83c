"""The orders routes: thin, HTTP in and out; the saga and the aggregate do the work."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from mercato.kit.auth import AdminPrincipal, CurrentPrincipal, require_service_token
from mercato.kit.deps import AppSettings, ReadSession, Session
from mercato.kit.idempotency import HEADER, REPLAYED_HEADER, fingerprint, validate_key
from mercato.kit.pagination import Page, PageLimit, PageNumber, offset
from mercato.kit.responses import model_response
from mercato.kit.schemas import Id
from mercato.orders import fulfilment
from mercato.orders.checkout import Checkout, PlaceOrder
from mercato.orders.deps import CancellationSaga, CheckoutSaga
from mercato.orders.repository import OrderRepository
from mercato.orders.schemas import (
    CancelRequest,
    OrderCreate,
    OrderOut,
    OrderStatus,
    PaymentAttempt,
    StatusUpdate,
    Timestamp,
)
from mercato.orders.views import order_view

orders = APIRouter(prefix="/api/orders", tags=["orders"])
internal = APIRouter(
    prefix="/internal/orders",
    tags=["internal"],
    dependencies=[Depends(require_service_token)],
    include_in_schema=False,
)

OrderId = Annotated[Id, Path(description="The order's id")]
IdempotencyKey = Annotated[str | None, Header(alias=HEADER, max_length=255)]


async def _current(checkout: Checkout, order_id: str) -> OrderOut:
    async with checkout.database.read_sessions() as session:
        order = await OrderRepository(session).get(order_id)
    assert order is not None
    return order_view(order)


@orders.post("", status_code=201, response_model=OrderOut)
async def place_order(
    body: OrderCreate,
    request: Request,
    principal: CurrentPrincipal,
    checkout: CheckoutSaga,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    fp = None
    if idempotency_key is not None:
        validate_key(idempotency_key)
        fp = fingerprint(request.method, request.url.path, await request.body())
    placed = await checkout.place(
        PlaceOrder(
            user_id=principal.user_id,
            lines=[line.model_dump() for line in body.items],
            shipping_address=body.shipping_address.model_dump(exclude_none=True),
            payment_method=body.payment_method,
            idempotency_key=idempotency_key,
            fingerprint=fp,
        )
    )
    # The order as placing left it, without reading it back; a replay reads it.
    order = (
        order_view(placed.order)
        if placed.order is not None
        else await _current(checkout, placed.order_id)
    )
    headers = {REPLAYED_HEADER: "true"} if placed.replayed else None
    return model_response(OrderOut, order, 201, headers)


@orders.get("", response_model=Page[OrderOut])
async def list_orders(
    principal: CurrentPrincipal,
    session: ReadSession,
    page: PageNumber = 1,
    limit: PageLimit = 20,
    status: OrderStatus | None = None,
    user_id: Annotated[Id | None, Query(description="Admins only: one user's orders")] = None,
    created_from: Annotated[
        Timestamp | None,
        Query(description="Only orders created at or after this instant (RFC 3339)"),
    ] = None,
) -> Page[OrderOut]:
    found, total = await fulfilment.list_orders(
        session,
        principal,
        user_id=user_id,
        status=status,
        created_from=created_from,
        offset=offset(page, limit),
        limit=limit,
    )
    return Page[OrderOut].of([order_view(order) for order in found], total, page, limit)


@orders.get("/{order_id}", response_model=OrderOut)
async def get_order(
    order_id: OrderId, principal: CurrentPrincipal, session: ReadSession
) -> OrderOut:
    return order_view(await fulfilment.get_order(session, order_id, principal))


@orders.patch("/{order_id}/status", response_model=OrderOut)
async def change_status(
    order_id: OrderId,
    body: StatusUpdate,
    principal: AdminPrincipal,
    session: Session,
    settings: AppSettings,
    cancellations: CancellationSaga,
    checkout: CheckoutSaga,
) -> OrderOut:
    if body.status == "cancelled":
        await cancellations.cancel(order_id, principal, body.note)
        return await _current(checkout, order_id)
    order = await fulfilment.change_status(session, settings, order_id, body.status, body.note)
    return order_view(order)


@orders.post("/{order_id}/cancel", response_model=OrderOut)
async def cancel_order(
    order_id: OrderId,
    principal: CurrentPrincipal,
    cancellations: CancellationSaga,
    checkout: CheckoutSaga,
    body: CancelRequest | None = None,
) -> OrderOut:
    await cancellations.cancel(order_id, principal, body.reason if body else None)
    return await _current(checkout, order_id)


@internal.post("/{order_id}/payments", response_model=OrderOut)
async def pay_order(order_id: OrderId, body: PaymentAttempt, checkout: CheckoutSaga) -> OrderOut:
    await checkout.pay(order_id, body.user_id, body.payment_method, body.key)
    return await _current(checkout, order_id)
