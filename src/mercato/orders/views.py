"""An order as API.md shows it."""

from __future__ import annotations

from mercato.orders.models import Order
from mercato.orders.schemas import OrderItemOut, OrderOut, PaymentRef, StatusChangeOut


def order_view(order: Order) -> OrderOut:
    payment = (
        PaymentRef(
            id=order.payment_id,
            status=order.payment_status or "failed",
            failure_code=order.payment_failure_code,
        )
        if order.payment_id
        else None
    )
    return OrderOut(
        id=order.id,
        order_number=order.order_number,
        user_id=order.user_id,
        status=order.status,
        items=[
            OrderItemOut(
                product_id=item.product_id,
                name=item.name,
                sku=item.sku,
                quantity=item.quantity,
                unit_price=item.unit_price,
                line_total=item.line_total,
            )
            for item in order.items
        ],
        total_amount=order.total_amount,
        currency=order.currency,
        shipping_address=order.shipping_address,
        payment=payment,
        status_history=[
            StatusChangeOut(status=change.status, at=change.at, note=change.note)
            for change in order.history
        ],
        created_at=order.created_at,
        updated_at=order.updated_at,
    )
