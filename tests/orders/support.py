"""Builders the orders tests share: shoppers, products, orders, and a look at stock and payments
as the other services show them."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NamedTuple, TypeVar

import httpx
from sqlalchemy import update

from harness import SERVICE_TOKEN, bearer
from mercato.kit.db import Database
from mercato.kit.settings import Settings
from mercato.kit.types import utcnow
from mercato.orders.models import Order

ADMIN = bearer("admin")
SERVICE = {"X-Service-Token": SERVICE_TOKEN}
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 Analytical Street",
    "city": "London",
    "postal_code": "N1 9GU",
    "country": "GB",
}
VISA = "pm_card_visa"
LAPSED_NOTE = "The payment was not received in time."
"""The note of an order cancelled because its payment window closed."""
HOLD_LAPSED_NOTE = "The stock could not be held until the payment went through."
"""The note of an order cancelled because its stock was let go before it was paid."""
T = TypeVar("T")


@dataclass
class Shopper:
    """A customer of the shop: a fresh user id and its bearer header."""

    id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def headers(self) -> dict[str, str]:
        return bearer("customer", self.id)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def make_product(
    products: httpx.AsyncClient, *, stock: int = 10, price: str = "19.99", currency: str = "USD"
) -> dict[str, Any]:
    response = await products.post(
        "/api/products",
        json={
            "name": unique("Teapot"),
            "price": price,
            "currency": currency,
            "sku": unique("SKU"),
            "stock": stock,
        },
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def stock_of(products: httpx.AsyncClient, product_id: str) -> int:
    """What the catalog says can still be sold."""
    response = await products.get(f"/api/products/{product_id}")
    assert response.status_code == 200, response.text
    return int(response.json()["stock"])


async def reservation_status(products: httpx.AsyncClient, order_id: str) -> str | None:
    """held / confirmed / released, or None when the order never reserved anything."""
    response = await products.get(f"/internal/reservations/{order_id}", headers=SERVICE)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    status: str = response.json()["status"]
    return status


def order_body(
    items: list[tuple[str, int]], payment_method: str | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "items": [{"product_id": product_id, "quantity": qty} for product_id, qty in items],
        "shipping_address": dict(ADDRESS),
        **extra,
    }
    if payment_method is not None:
        body["payment_method"] = payment_method
    return body


async def place(
    orders: httpx.AsyncClient,
    shopper: Shopper,
    items: list[tuple[str, int]],
    payment_method: str | None = None,
    *,
    key: str | None = None,
) -> httpx.Response:
    headers = shopper.headers
    if key is not None:
        headers["Idempotency-Key"] = key
    return await orders.post("/api/orders", json=order_body(items, payment_method), headers=headers)


async def placed(
    orders: httpx.AsyncClient,
    shopper: Shopper,
    items: list[tuple[str, int]],
    payment_method: str | None = None,
) -> dict[str, Any]:
    """A placed order (201), as its owner sees it."""
    response = await place(orders, shopper, items, payment_method)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


class Purchase(NamedTuple):
    """One shopper's order of one product: the scene most orders tests start from."""

    product: dict[str, Any]
    shopper: Shopper
    order: dict[str, Any]


async def purchase(
    orders: httpx.AsyncClient,
    products: httpx.AsyncClient,
    *,
    stock: int,
    quantity: int,
    price: str = "19.99",
    paid_with: str | None = None,
) -> Purchase:
    """A product with `stock` in stock and a new shopper's placed order of `quantity` of it:
    paid (or declined) at checkout with the card `paid_with`, unpaid without one."""
    product = await make_product(products, stock=stock, price=price)
    shopper = Shopper()
    order = await placed(orders, shopper, [(product["id"], quantity)], paid_with)
    return Purchase(product, shopper, order)


async def get_order(
    orders: httpx.AsyncClient, order_id: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return await orders.get(f"/api/orders/{order_id}", headers=headers or ADMIN)


async def order_of(orders: httpx.AsyncClient, order_id: str) -> dict[str, Any]:
    response = await get_order(orders, order_id)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def set_status(
    orders: httpx.AsyncClient, order_id: str, status: str, note: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"status": status}
    if note is not None:
        body["note"] = note
    return await orders.patch(f"/api/orders/{order_id}/status", json=body, headers=ADMIN)


FULFILMENT = ("processing", "shipped", "delivered")
"""The steps an admin moves a paid order through, in their order."""


async def advance(orders: httpx.AsyncClient, order_id: str, to: str) -> None:
    """As an admin, move a paid order through fulfilment up to the status `to`."""
    for status in FULFILMENT[: FULFILMENT.index(to) + 1]:
        response = await set_status(orders, order_id, status)
        assert response.status_code == 200, response.text


async def cancel(
    orders: httpx.AsyncClient, order_id: str, headers: dict[str, str], reason: str | None = None
) -> httpx.Response:
    body = {"reason": reason} if reason is not None else None
    return await orders.post(f"/api/orders/{order_id}/cancel", json=body, headers=headers)


async def payments_of(payments: httpx.AsyncClient, shopper: Shopper) -> list[dict[str, Any]]:
    """The shopper's payments, as the payments service shows them to their owner."""
    response = await payments.get("/api/payments?limit=100", headers=shopper.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def pay(
    payments: httpx.AsyncClient,
    shopper: Shopper,
    order_id: str,
    payment_method: str = VISA,
    *,
    key: str | None = None,
) -> httpx.Response:
    """Pay a pending order through the payments service's public API."""
    return await payments.post(
        "/api/payments",
        json={"order_id": order_id, "payment_method": payment_method},
        headers={**shopper.headers, "Idempotency-Key": key or uuid.uuid4().hex},
    )


async def pay_in_orders(
    orders: httpx.AsyncClient, shopper: Shopper, order_id: str, payment_method: str = VISA
) -> httpx.Response:
    """The orders service's payment step, called as the payments service calls it for a
    shopper's new payment (so that a test can aim it at an orders instance of its own)."""
    attempt = {"user_id": shopper.id, "payment_method": payment_method, "key": uuid.uuid4().hex}
    return await orders.post(f"/internal/orders/{order_id}/payments", json=attempt, headers=SERVICE)


async def eventually(
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool],
    *,
    within: float = 10.0,
) -> T:
    """Poll `probe` until `accept` holds for its answer; fails with the last answer after
    `within` seconds (a bound on how long a background process may take, not a speed test)."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if accept(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still not there after {within} s: {value!r}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def orders_database(settings: Settings) -> AsyncIterator[Database]:
    """The orders database, to fabricate a state no request can reach."""
    database = Database(settings.database_url("orders"))
    try:
        yield database
    finally:
        await database.dispose()


async def lease_runs_out(settings: Settings, order_id: str) -> None:
    """As if the process running the order's step had died long ago: its lease is over, so
    any orders instance's recovery loop may take the order over at once."""
    async with orders_database(settings) as database, database.sessions() as session:
        result = await session.execute(
            update(Order)
            .where(Order.id == order_id, Order.step.is_not(None))
            .values(step_due_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    assert result.rowcount == 1, "the order is not mid-step"  # type: ignore[attr-defined]
