"""The saga's calls to the products and payments services, and what their answers mean.

Every call here is idempotent on the other side (a reservation per order id, a charge or a
refund per key), so any of them may be repeated after a crash or a lost answer. Transport
failures surface as the kit's `ServiceUnavailable` / `GatewayTimeout`; a refusal the shopper
must see comes back as `UpstreamRefusal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from mercato.kit.errors import ServiceUnavailable
from mercato.kit.http import UpstreamClient, UpstreamResponse
from mercato.kit.settings import Settings
from mercato.orders.errors import UpstreamRefusal


def _problem(response: UpstreamResponse) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _unexpected(service: str, response: UpstreamResponse) -> ServiceUnavailable:
    return ServiceUnavailable(f"The {service} service answered {response.status}.")


def _refusal(response: UpstreamResponse, extra: dict[str, Any]) -> UpstreamRefusal:
    problem = _problem(response)
    return UpstreamRefusal(
        response.status,
        str(problem.get("code", "refused")),
        str(problem.get("detail", "The request was refused.")),
        extra,
    )


@dataclass(frozen=True)
class Reservation:
    status: str
    lines: list[dict[str, Any]]


@dataclass(frozen=True)
class Charge:
    payment_id: str
    status: str
    failure_code: str | None
    transaction_id: str | None


class Upstreams:
    """The products and payments clients of one orders process."""

    def __init__(self, settings: Settings) -> None:
        common: dict[str, Any] = {
            "timeout": settings.upstream_timeout_seconds,
            "connect_timeout": settings.connect_timeout_seconds,
            "service_token": settings.service_token,
        }
        self.products = UpstreamClient("products", settings.products_url, **common)
        self.payments = UpstreamClient("payments", settings.payments_url, **common)

    async def close(self) -> None:
        await self.products.close()
        await self.payments.close()

    async def reserve(
        self, order_id: str, lines: list[dict[str, Any]], ttl_seconds: int
    ) -> Reservation:
        """Hold the stock of every line or none. 409 `insufficient_stock` (with the short
        lines) and 422 `unknown_product` come back as the shopper's `UpstreamRefusal`."""
        body = {"order_id": order_id, "lines": lines, "ttl_seconds": ttl_seconds}
        response = await self.products.request("POST", "/internal/reservations", json=body)
        if response.status in (200, 201):
            answer = response.json()
            return Reservation(answer["status"], answer["lines"])
        problem = _problem(response)
        if response.status == 409 and problem.get("code") == "insufficient_stock":
            return_short = {"short": problem.get("short", [])}
            raise _refusal(response, return_short)
        if response.status == 422:
            errors = [
                {**error, "field": str(error.get("field", "")).replace("lines.", "items.", 1)}
                for error in problem.get("errors", [])
            ]
            raise _refusal(response, {"errors": errors})
        raise _unexpected("products", response)

    async def confirm(self, order_id: str) -> bool:
        """Turn the held stock into sold stock: False when the hold had already lapsed."""
        response = await self.products.request("POST", f"/internal/reservations/{order_id}/confirm")
        if response.status == 200:
            return True
        if response.status == 409 and _problem(response).get("code") == "reservation_released":
            return False
        raise _unexpected("products", response)

    async def release(self, order_id: str) -> None:
        """Give the order's stock back (exactly once on the products side)."""
        response = await self.products.request("POST", f"/internal/reservations/{order_id}/release")
        if response.status == 200 or response.status == 404:  # 404: nothing was ever held
            return
        raise _unexpected("products", response)

    async def charge(
        self,
        key: str,
        *,
        order_id: str,
        user_id: str,
        amount: Decimal,
        currency: str,
        payment_method: str,
    ) -> Charge:
        body = {
            "key": key,
            "order_id": order_id,
            "user_id": user_id,
            "amount": str(amount),
            "currency": currency,
            "payment_method": payment_method,
        }
        response = await self.payments.request("POST", "/internal/charges", json=body)
        if response.status in (200, 201):
            return _charge(response.json())
        problem = _problem(response)
        if response.status == 409 and problem.get("code") == "order_already_paid":
            return _charge(problem["payment"])  # paid under another key: that payment counts
        if response.status == 409 and problem.get("code") == "charge_mismatch":
            # The shopper's key was used for another charge (a retry after a processing
            # error, with another card): final, like a key reused with another body.
            # Retrying it would leave the order mid-step for ever.
            raise UpstreamRefusal(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was already used with a different request.",
                {},
            )
        if response.status == 422:
            raise _refusal(response, {"errors": problem.get("errors", [])})
        raise _unexpected("payments", response)

    async def refund_all(self, key: str, order_id: str, reason: str | None) -> Decimal:
        """Refund whatever remains of the order's payment; returns the amount refunded now
        (0 when nothing was paid or everything was already refunded)."""
        body = {"key": key, "order_id": order_id, "amount": None, "reason": reason}
        response = await self.payments.request("POST", "/internal/refunds", json=body)
        if response.status in (200, 201):
            refund = response.json().get("refund")
            return Decimal(refund["amount"]) if refund else Decimal("0.00")
        if response.status == 404:
            return Decimal("0.00")
        raise _unexpected("payments", response)


def _charge(payment: dict[str, Any]) -> Charge:
    return Charge(
        payment_id=payment["id"],
        status=payment["status"],
        failure_code=payment.get("failure_code"),
        transaction_id=payment.get("transaction_id"),
    )
