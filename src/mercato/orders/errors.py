"""The orders service's failures, each with a stable `code` clients can branch on."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from mercato.kit.errors import (
    Conflict,
    MercatoError,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)


class OrderNotFound(NotFound):
    """Unknown, or another customer's: the two answer alike (404, never 403)."""

    code = "order_not_found"

    def __init__(self) -> None:
        super().__init__("No such order.")


class IllegalTransition(Conflict):
    code = "illegal_transition"

    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(
            f"An order that is {current} cannot become {wanted}.",
            extra={"current_status": current, "requested_status": wanted},
        )


class OrderNotPending(Conflict):
    code = "order_not_pending"

    def __init__(self, status: str) -> None:
        super().__init__(
            f"Only a pending order can be paid; this one is {status}.",
            extra={"current_status": status},
        )


class OrderBusy(Conflict):
    code = "order_busy"

    def __init__(self) -> None:
        super().__init__("A payment or cancellation of this order is in progress; try again.")


class CheckoutIncomplete(ServiceUnavailable):
    """A service the checkout needs did not answer: the order is kept and finished (or
    undone) by the recovery loop, so a retry with the same Idempotency-Key finds it."""

    code = "checkout_incomplete"

    def __init__(self, order_id: str, reason: str) -> None:
        super().__init__(
            f"{reason} The order will be completed (or undone) automatically once it answers "
            "again: it then appears in your orders, and a repeat of this request with the same "
            "Idempotency-Key answers it (409 until then).",
            extra={"order_id": order_id},
            headers={"Retry-After": "5"},
        )


class UpstreamRefusal(MercatoError):
    """A refusal from the products or payments service the shopper must see as it came
    (insufficient stock with the short lines, an unknown product or payment method)."""

    def __init__(self, status: int, code: str, detail: str, extra: dict[str, Any]) -> None:
        super().__init__(detail, extra=extra)
        self.status = status  # type: ignore[misc]
        self.code = code  # type: ignore[misc]

    def default_title(self) -> str:  # type: ignore[override]
        return HTTPStatus(self.status).phrase


class PaymentRequired(Conflict):
    code = "payment_required"

    def __init__(self) -> None:
        super().__init__("An order becomes paid only through a payment.")


class MixedCurrencies(ValidationFailed):
    """One order is charged in one currency: lines priced in several cannot share it."""

    code = "mixed_currencies"

    def __init__(self) -> None:
        super().__init__("items", "All items of an order must be priced in the same currency.")
