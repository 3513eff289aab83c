"""The integration events the orders service publishes, queued in its outbox with the change.

The notifications service consumes them (one email per event); it reads only the fields it
needs, so adding a field here breaks nobody.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.outbox import enqueue
from mercato.orders.models import Order, outbox

ORDER_PAID = "order.paid"
ORDER_CANCELLED = "order.cancelled"
ORDER_SHIPPED = "order.shipped"


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _base(order: Order, web_url: str) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "order_number": order.order_number,
        "user_id": order.user_id,
        "order_url": f"{web_url.rstrip('/')}/orders/{order.id}",
    }


async def order_paid(
    session: AsyncSession, order: Order, web_url: str, transaction_id: str | None
) -> None:
    payload = {
        **_base(order, web_url),
        "total_amount": _money(order.total_amount),
        "currency": order.currency,
        "items": [
            {
                "name": item.name,
                "sku": item.sku,
                "quantity": item.quantity,
                "unit_price": _money(item.unit_price),
                "line_total": _money(item.line_total),
            }
            for item in order.items
        ],
        "shipping_address": order.shipping_address,
        "payment": {
            "id": order.payment_id,
            "payment_method": order.payment_method,
            "transaction_id": transaction_id,
        },
    }
    await enqueue(session, outbox, ORDER_PAID, payload)


async def order_cancelled(
    session: AsyncSession, order: Order, web_url: str, *, reason: str, refunded: bool
) -> None:
    payload = {
        **_base(order, web_url),
        "reason": reason,
        "total_amount": _money(order.total_amount),
        "currency": order.currency,
        "refunded": refunded,
    }
    await enqueue(session, outbox, ORDER_CANCELLED, payload)


async def order_shipped(session: AsyncSession, order: Order, web_url: str) -> None:
    payload = {**_base(order, web_url), "shipping_address": order.shipping_address}
    await enqueue(session, outbox, ORDER_SHIPPED, payload)
