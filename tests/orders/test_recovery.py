"""No order stays half-done: a checkout or a cancellation that a service outage cut short is
carried to its end by the recovery loop, with each charge, refund and stock move made once.

An outage is an orders instance whose URL for products or payments points at a port where
nothing listens; it shares the database with the stack's instance, which recovers the order
once the stalled step's lease has run out. Once the outage's effects are observed, the lease is
made to run out at once (as if the broken process had died long ago), so what is seen during
the outage never races the recovery; one test lets a short lease run out by itself.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from harness import Stack, free_port, serve_service

from .support import (
    VISA,
    Shopper,
    cancel,
    eventually,
    get_order,
    lease_runs_out,
    make_product,
    order_of,
    pay_in_orders,
    payments_of,
    place,
    placed,
    purchase,
    reservation_status,
    stock_of,
)

LEASE = 1.0
"""The short lease of the instance whose stalled step is left to run out by itself."""


@asynccontextmanager
async def outage(stack: Stack, service: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an orders instance that cannot reach `service` (with the default lease,
    longer than any test)."""
    nowhere = f"http://127.0.0.1:{free_port()}"
    settings = stack.settings.model_copy(update={f"{service}_url": nowhere})
    with serve_service("orders", settings) as running:
        async with httpx.AsyncClient(base_url=running.url, timeout=30) as client:
            yield client


def _incomplete(response: httpx.Response) -> str:
    """The order id of a checkout answered 503 checkout_incomplete."""
    assert response.status_code == 503, response.text
    problem = response.json()
    assert problem["code"] == "checkout_incomplete", problem
    assert response.headers["Retry-After"]
    order_id: str = problem["order_id"]
    return order_id


async def _visible(orders: httpx.AsyncClient, order_id: str) -> dict[str, Any]:
    response = await eventually(lambda: get_order(orders, order_id), lambda r: r.status_code == 200)
    body: dict[str, Any] = response.json()
    return body


async def test_a_checkout_cut_off_from_payments_is_paid_by_recovery(
    stack: Stack,
    orders: httpx.AsyncClient,
    products: httpx.AsyncClient,
    payments: httpx.AsyncClient,
) -> None:
    product = await make_product(products, stock=5, price="8.00")
    shopper = Shopper()
    key = uuid.uuid4().hex

    async with outage(stack, "payments") as broken:
        order_id = _incomplete(await place(broken, shopper, [(product["id"], 2)], VISA, key=key))
        # Not an order the shopper can see yet: still being placed.
        assert (await get_order(orders, order_id, shopper.headers)).status_code == 404
        retry = await place(orders, shopper, [(product["id"], 2)], VISA, key=key)
        assert retry.status_code == 409, retry.text
        assert retry.json()["code"] == "idempotency_in_flight"
        assert await reservation_status(products, order_id) == "held"
        assert await payments_of(payments, shopper) == []
    await lease_runs_out(stack.settings, order_id)

    order = await eventually(
        lambda: _visible(orders, order_id), lambda o: o["status"] == "paid", within=15
    )

    assert order["total_amount"] == "16.00"
    assert order["payment"]["status"] == "succeeded"
    [payment] = await payments_of(payments, shopper)
    assert (payment["id"], payment["status"], payment["amount"]) == (
        order["payment"]["id"],
        "succeeded",
        "16.00",
    )
    assert await reservation_status(products, order_id) == "confirmed"
    assert await stock_of(products, product["id"]) == 3
    # The shopper's retry now finds the order, paid once.
    retry = await place(orders, shopper, [(product["id"], 2)], VISA, key=key)
    assert retry.status_code == 201, retry.text
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == order_id
    assert len(await payments_of(payments, shopper)) == 1
    assert await stock_of(products, product["id"]) == 3


async def test_a_checkout_that_never_reserved_is_carried_on(
    stack: Stack, orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=5, price="2.50")
    shopper = Shopper()

    async with outage(stack, "products") as broken:
        order_id = _incomplete(await place(broken, shopper, [(product["id"], 2)]))
        assert await reservation_status(products, order_id) is None
        assert await stock_of(products, product["id"]) == 5
        mine = await broken.get("/api/orders", headers=shopper.headers)
        assert mine.json()["items"] == []
    await lease_runs_out(stack.settings, order_id)

    order = await _visible(orders, order_id)

    assert order["status"] == "pending"
    assert order["user_id"] == shopper.id
    assert [(i["product_id"], i["quantity"], i["unit_price"]) for i in order["items"]] == [
        (product["id"], 2, "2.50")
    ]
    assert order["total_amount"] == "5.00"
    assert [change["status"] for change in order["status_history"]] == ["pending"]
    assert await reservation_status(products, order_id) == "held"
    assert await stock_of(products, product["id"]) == 3


async def test_a_paid_checkout_that_never_reserved_is_carried_to_paid(
    stack: Stack,
    orders: httpx.AsyncClient,
    products: httpx.AsyncClient,
    payments: httpx.AsyncClient,
) -> None:
    product = await make_product(products, stock=5, price="2.50")
    shopper = Shopper()

    async with outage(stack, "products") as broken:
        order_id = _incomplete(await place(broken, shopper, [(product["id"], 4)], VISA))
    await lease_runs_out(stack.settings, order_id)

    order = await eventually(
        lambda: _visible(orders, order_id), lambda o: o["status"] == "paid", within=15
    )

    assert order["total_amount"] == "10.00"
    [payment] = await payments_of(payments, shopper)
    assert (payment["status"], payment["amount"]) == ("succeeded", "10.00")
    assert await reservation_status(products, order_id) == "confirmed"
    assert await stock_of(products, product["id"]) == 1


async def test_a_refund_owed_by_a_cancellation_is_made_once_payments_is_back(
    stack: Stack,
    orders: httpx.AsyncClient,
    products: httpx.AsyncClient,
    payments: httpx.AsyncClient,
) -> None:
    product, shopper, order = await purchase(
        orders, products, stock=5, quantity=3, price="6.00", paid_with=VISA
    )
    assert order["status"] == "paid"

    async with outage(stack, "payments") as broken:
        response = await cancel(broken, order["id"], shopper.headers)
        # The order is cancelled at once; its stock is back; the money follows.
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "cancelled"
        assert await stock_of(products, product["id"]) == 5
        [payment] = await payments_of(payments, shopper)
        assert payment["refunds"] == []
    await lease_runs_out(stack.settings, order["id"])

    refunded = await eventually(
        lambda: payments_of(payments, shopper),
        lambda found: found[0]["status"] == "refunded",
        within=15,
    )

    [payment] = refunded
    assert payment["refunded_amount"] == "18.00"
    assert len(payment["refunds"]) == 1
    final = await eventually(
        lambda: order_of(orders, order["id"]), lambda o: o["payment"]["status"] == "refunded"
    )
    assert final["status"] == "cancelled"
    assert [change["status"] for change in final["status_history"]] == [
        "pending",
        "paid",
        "cancelled",
    ]
    assert await stock_of(products, product["id"]) == 5
    assert await reservation_status(products, order["id"]) == "released"
    again = await cancel(orders, order["id"], shopper.headers)
    assert again.status_code == 409
    assert len((await payments_of(payments, shopper))[0]["refunds"]) == 1


async def test_a_payment_cut_off_from_payments_is_finished_and_blocks_a_cancel_meanwhile(
    stack: Stack,
    orders: httpx.AsyncClient,
    products: httpx.AsyncClient,
    payments: httpx.AsyncClient,
) -> None:
    product, shopper, order = await purchase(orders, products, stock=5, quantity=1, price="4.00")

    async with outage(stack, "payments") as broken:
        response = await pay_in_orders(broken, shopper, order["id"])
        assert _incomplete(response) == order["id"]
        busy = await cancel(orders, order["id"], shopper.headers)
        assert busy.status_code == 409, busy.text
        assert busy.json()["code"] == "order_busy"
    await lease_runs_out(stack.settings, order["id"])

    paid = await eventually(
        lambda: order_of(orders, order["id"]), lambda o: o["status"] == "paid", within=15
    )

    [payment] = await payments_of(payments, shopper)
    assert (payment["id"], payment["amount"]) == (paid["payment"]["id"], "4.00")
    assert await reservation_status(products, order["id"]) == "confirmed"
    assert await stock_of(products, product["id"]) == 4


async def test_a_checkout_whose_stock_sold_out_meanwhile_is_dropped(
    stack: Stack, orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=2)
    shopper, quicker = Shopper(), Shopper()
    key = uuid.uuid4().hex

    async with outage(stack, "products") as broken:
        order_id = _incomplete(await place(broken, shopper, [(product["id"], 2)], key=key))
        await placed(orders, quicker, [(product["id"], 2)])
    await lease_runs_out(stack.settings, order_id)

    # Recovery finds no stock for it: the order is dropped, and the shopper's retry with the
    # same key is answered as a new checkout would be.
    retry = await eventually(
        lambda: place(orders, shopper, [(product["id"], 2)], key=key),
        lambda r: r.status_code != 409 or r.json()["code"] != "idempotency_in_flight",
        within=15,
    )
    assert retry.status_code == 409, retry.text
    assert retry.json()["code"] == "insufficient_stock"
    assert (await get_order(orders, order_id)).status_code == 404
    assert await reservation_status(products, order_id) is None
    listed = await orders.get("/api/orders", headers=shopper.headers)
    assert listed.json()["items"] == []
    assert await stock_of(products, product["id"]) == 0


async def test_stock_owed_by_a_cancellation_comes_back_once_products_is_back(
    stack: Stack, orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(orders, products, stock=5, quantity=4)

    async with outage(stack, "products") as broken:
        response = await cancel(broken, order["id"], shopper.headers)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "cancelled"
        assert await stock_of(products, product["id"]) == 1
    await lease_runs_out(stack.settings, order["id"])

    assert await eventually(lambda: stock_of(products, product["id"]), lambda s: s == 5) == 5
    assert await reservation_status(products, order["id"]) == "released"
    assert (await order_of(orders, order["id"]))["status"] == "cancelled"


async def test_a_charge_whose_answer_was_lost_is_not_made_twice(
    stack: Stack,
    orders: httpx.AsyncClient,
    products: httpx.AsyncClient,
    payments: httpx.AsyncClient,
) -> None:
    product = await make_product(products, stock=5, price="3.00")
    shopper = Shopper()
    slow = stack.settings.model_copy(update={"payment_latency_seconds": 1.0})

    with serve_service("payments", slow) as slow_payments:
        impatient = stack.settings.model_copy(
            update={
                "payments_url": slow_payments.url,
                "upstream_timeout_seconds": 0.3,
                "saga_lease_seconds": LEASE,
            }
        )
        with serve_service("orders", impatient) as running:
            async with httpx.AsyncClient(base_url=running.url, timeout=30) as client:
                # The card is charged, but the answer comes after the orders service gave up.
                response = await place(client, shopper, [(product["id"], 2)], VISA)
        order_id = _incomplete(response)

        order = await eventually(
            lambda: _visible(orders, order_id), lambda o: o["status"] == "paid", within=15
        )

    [payment] = await eventually(lambda: payments_of(payments, shopper), lambda found: bool(found))
    assert (payment["id"], payment["status"], payment["amount"]) == (
        order["payment"]["id"],
        "succeeded",
        "6.00",
    )
    assert await stock_of(products, product["id"]) == 3
