"""A pending order waits for its payment for `reservation_ttl_seconds`: then it is cancelled
and its stock comes back. A paid order is never touched by the lapse."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from harness import Stack, serve_service

from .support import (
    LAPSED_NOTE,
    VISA,
    Shopper,
    eventually,
    make_product,
    order_of,
    placed,
    purchase,
    reservation_status,
    stock_of,
)


@pytest.fixture
async def hasty(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an orders instance whose payment window is two seconds long (time enough
    to see the stock held before it comes back)."""
    with serve_service(
        "orders", stack.settings.model_copy(update={"reservation_ttl_seconds": 2})
    ) as running:
        async with httpx.AsyncClient(base_url=running.url, timeout=30) as client:
            yield client


async def test_an_unpaid_order_lapses_and_its_stock_comes_back(
    hasty: httpx.AsyncClient, orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(hasty, products, stock=5, quantity=3)
    assert order["status"] == "pending"
    assert await stock_of(products, product["id"]) == 2

    lapsed = await eventually(
        lambda: order_of(orders, order["id"]), lambda o: o["status"] == "cancelled"
    )

    assert lapsed["status_history"][-1]["note"] == LAPSED_NOTE
    assert await eventually(lambda: stock_of(products, product["id"]), lambda s: s == 5) == 5
    assert await reservation_status(products, order["id"]) == "released"
    # Too late to pay it now.
    mine = await orders.get(f"/api/orders/{order['id']}", headers=shopper.headers)
    assert mine.json()["status"] == "cancelled"


async def test_a_paid_order_does_not_lapse(
    hasty: httpx.AsyncClient, orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=5)
    shopper = Shopper()
    paid = await placed(hasty, shopper, [(product["id"], 2)], VISA)
    unpaid = await placed(hasty, shopper, [(product["id"], 1)])
    assert paid["status"] == "paid"

    # Once the unpaid order (placed later, on the same window) has lapsed, the paid one's
    # window has closed too.
    await eventually(lambda: order_of(orders, unpaid["id"]), lambda o: o["status"] == "cancelled")

    assert (await order_of(orders, paid["id"]))["status"] == "paid"
    assert (await order_of(orders, paid["id"]))["status_history"] == paid["status_history"]
    assert await reservation_status(products, paid["id"]) == "confirmed"
    assert await stock_of(products, product["id"]) == 3
