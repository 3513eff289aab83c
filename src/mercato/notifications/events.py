"""The integration events this service turns into notifications: one email per event.

Each topic's payload is declared here (the consumer owns the contract): the template's data
plus who it is for. A payload missing a field answers 422, so the producer's relay retries
and then dead-letters it, visibly. The kit's receiver records the event id in the inbox in
the same transaction as the notification, so a redelivered event changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import EmailStr
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.events import Handler
from mercato.notifications import service
from mercato.notifications.messages import (
    Composer,
    OrderCancelledData,
    OrderConfirmationData,
    OrderShippedData,
    PasswordResetData,
    RefundReceiptData,
    TemplateData,
    VerificationData,
    parse_data,
)
from mercato.notifications.models import EMAIL


class Addressee(TemplateData):
    """Whom an event's email is for. Without `email` it goes to the address the users
    service knows for `user_id`, looked up when the email goes out."""

    user_id: uuid.UUID
    email: EmailStr | None = None


class AccountLinkEvent(VerificationData, Addressee):
    """`user.registered` and `user.verification_requested`, from users."""

    email: EmailStr


class PasswordResetEvent(PasswordResetData, Addressee):
    email: EmailStr


class OrderPaidEvent(OrderConfirmationData, Addressee):
    pass


class OrderCancelledEvent(OrderCancelledData, Addressee):
    pass


class OrderShippedEvent(OrderShippedData, Addressee):
    pass


class PaymentRefundedEvent(RefundReceiptData, Addressee):
    pass


# topic -> (template, payload)
TOPICS: dict[str, tuple[str, type[Addressee]]] = {
    "user.registered": ("welcome", AccountLinkEvent),
    "user.verification_requested": ("email_verification", AccountLinkEvent),
    "user.password_reset_requested": ("password_reset", PasswordResetEvent),
    "order.paid": ("order_confirmation", OrderPaidEvent),
    "order.cancelled": ("order_cancelled", OrderCancelledEvent),
    "order.shipped": ("order_shipped", OrderShippedEvent),
    "payment.refunded": ("refund_receipt", PaymentRefundedEvent),
}


def event_handlers(composer: Composer) -> dict[str, Handler]:
    """The receiver's handlers: each records the one email its event asks for."""

    def email_for(template: str, payload_type: type[Addressee]) -> Handler:
        async def handle(session: AsyncSession, payload: dict[str, Any]) -> None:
            event = parse_data(payload_type, payload, field="payload")
            await service.record(
                session,
                user_id=str(event.user_id),
                channel=EMAIL,
                rendered=composer.compose(template, event),
                template=template,
                data=payload,
                recipient=event.email,
            )

        return handle

    return {topic: email_for(*route) for topic, route in TOPICS.items()}
