"""Reading orders, and an admin moving one along: processing, shipped, delivered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal
from mercato.kit.settings import Settings
from mercato.orders.errors import OrderBusy, OrderNotFound, PaymentRequired
from mercato.orders.events import order_shipped
from mercato.orders.models import Order
from mercato.orders.repository import OrderRepository


async def get_order(session: AsyncSession, order_id: str, principal: Principal) -> Order:
    """The order if the caller owns it or is an admin; 404 alike for unknown and not yours."""
    order = await OrderRepository(session).get_visible(order_id)
    if order is None or (not principal.is_admin and order.user_id != principal.user_id):
        raise OrderNotFound
    return order


async def list_orders(
    session: AsyncSession,
    principal: Principal,
    *,
    user_id: str | None,
    status: str | None,
    created_from: datetime | None = None,
    offset: int,
    limit: int,
) -> tuple[Sequence[Order], int]:
    """The caller's orders; an admin sees everyone's, or one user's with `user_id`."""
    owner = user_id if principal.is_admin else principal.user_id
    return await OrderRepository(session).page(
        user_id=owner, status=status, created_from=created_from, offset=offset, limit=limit
    )


async def change_status(
    session: AsyncSession, settings: Settings, order_id: str, status: str, note: str | None
) -> Order:
    """An admin's move along the state machine (cancelling goes through `Cancellations`)."""
    order = await OrderRepository(session).get(order_id, for_update=True)
    if order is None or order.step == "placing":
        raise OrderNotFound
    if order.step is not None:
        raise OrderBusy
    if status == "paid" and order.can_move_to("paid"):
        raise PaymentRequired  # the stock is confirmed and the money taken by the saga only
    order.move_to(status, note)
    if status == "shipped":
        await order_shipped(session, order, settings.web_url)
    await session.flush()
    return order
