"""The payments service's failures, each with a stable `code` clients can branch on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from mercato.kit.errors import Conflict, NotFound


class PaymentNotFound(NotFound):
    """Unknown, or another customer's: the two answer alike (404, never 403)."""

    code = "payment_not_found"

    def __init__(self, detail: str = "No such payment.") -> None:
        super().__init__(detail)


class ChargeMismatch(Conflict):
    code = "charge_mismatch"

    def __init__(self) -> None:
        super().__init__("This charge key was already used for another order, amount or method.")


class OrderAlreadyPaid(Conflict):
    """409 with the order's successful payment in `payment`: that one counts."""

    code = "order_already_paid"

    def __init__(self, payment: dict[str, Any]) -> None:
        super().__init__("This order already has a successful payment.", extra={"payment": payment})


class RefundExceedsRemaining(Conflict):
    code = "refund_exceeds_remaining"

    def __init__(self, remaining: Decimal) -> None:
        detail = (
            f"Only {remaining} remains to be refunded."
            if remaining
            else "Nothing remains to be refunded."
        )
        super().__init__(detail, extra={"remaining": str(remaining)})


class RefundMismatch(Conflict):
    code = "refund_mismatch"

    def __init__(self) -> None:
        super().__init__("This refund key was already used for another payment or amount.")


class PaymentNotRefundable(Conflict):
    code = "payment_not_refundable"

    def __init__(self) -> None:
        super().__init__("A failed payment charged nothing, so there is nothing to refund.")
