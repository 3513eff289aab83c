"""Cancelling an order: by its owner, by an admin, or because its payment window closed.

Two steps, like every saga step here. First, in one transaction, the order becomes
`cancelled` (the aggregate refuses it from `shipped`, `delivered` or `cancelled`), the
`order.cancelled` event is queued and `step = "cancelling"` is recorded. Then, outside any
transaction, the stock is released and a paid order refunded in full; both calls are
idempotent on the other side (release per order id, refund per key), so a crash between
them only means the recovery loop makes them again. Only then is the step cleared.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal
from mercato.kit.db import Database
from mercato.kit.errors import GatewayTimeout, ServiceUnavailable
from mercato.kit.settings import Settings
from mercato.kit.types import utcnow
from mercato.orders.errors import OrderBusy, OrderNotFound
from mercato.orders.events import order_cancelled
from mercato.orders.metrics import ORDERS_CANCELLED
from mercato.orders.models import Order
from mercato.orders.repository import OrderRepository
from mercato.orders.upstreams import Upstreams

CANCELLING = "cancelling"
LAPSED_REASON = "The payment was not received in time."
HOLD_LAPSED_REASON = "The stock could not be held until the payment went through."
log = structlog.get_logger("mercato.orders")


def refund_key(order_id: str) -> str:
    return f"order:{order_id}:cancel"


async def begin_cancellation(
    session: AsyncSession, order: Order, settings: Settings, *, reason: str, cause: str
) -> None:
    """The transactional half: the order is cancelled and the rest is owed to it."""
    order.move_to("cancelled", reason)
    order.cancel_reason = reason
    order.step = CANCELLING
    order.step_due_at = utcnow() + timedelta(seconds=settings.saga_lease_seconds)
    await order_cancelled(session, order, settings.web_url, reason=reason, refunded=order.is_paid)
    ORDERS_CANCELLED.labels(cause).inc()


class Cancellations:
    def __init__(self, database: Database, upstreams: Upstreams, settings: Settings) -> None:
        self.database = database
        self.upstreams = upstreams
        self.settings = settings

    async def cancel(self, order_id: str, principal: Principal, reason: str | None) -> None:
        """Cancel for the owner or an admin; the stock and money follow at once, or from the
        recovery loop if a service is down (the order is cancelled either way)."""
        async with self.database.sessions() as session:
            order = await OrderRepository(session).get(order_id, for_update=True)
            if order is None or order.step == "placing":
                raise OrderNotFound
            if not principal.is_admin and order.user_id != principal.user_id:
                raise OrderNotFound
            if order.step is not None:
                raise OrderBusy
            cause = (
                "admin" if principal.is_admin and order.user_id != principal.user_id else "customer"
            )
            note = reason or (
                "Cancelled by an administrator."
                if cause == "admin"
                else "Cancelled by the customer."
            )
            await begin_cancellation(session, order, self.settings, reason=note, cause=cause)
            await session.commit()
        await self.settle(order_id)

    async def settle(self, order_id: str) -> bool:
        """Release and refund what a cancelled order still holds; True when done. A service
        that cannot be reached leaves the step for the recovery loop."""
        try:
            await self._settle(order_id)
        except (ServiceUnavailable, GatewayTimeout) as exc:
            log.warning("cancellation_deferred", order_id=order_id, error=str(exc))
            return False
        return True

    async def _settle(self, order_id: str) -> None:
        async with self.database.read_sessions() as session:
            order = await OrderRepository(session).get(order_id)
        if order is None or order.step != CANCELLING:
            return
        await self.upstreams.release(order.id)
        values: dict[str, str] = {}
        if order.is_paid:
            await self.upstreams.refund_all(refund_key(order.id), order.id, order.cancel_reason)
            values["payment_status"] = "refunded"
        async with self.database.sessions() as session:
            await OrderRepository(session).end_step(order.id, CANCELLING, **values)
            await session.commit()

    async def lapse_due(self, limit: int = 50) -> int:
        """Cancel pending orders whose payment window closed; returns how many."""
        async with self.database.sessions() as session:
            orders = await OrderRepository(session).lapsed(utcnow(), limit)
            for order in orders:
                await begin_cancellation(
                    session, order, self.settings, reason=LAPSED_REASON, cause="lapsed"
                )
            ids = [order.id for order in orders]
            await session.commit()
        for order_id in ids:
            await self.settle(order_id)
        return len(ids)
