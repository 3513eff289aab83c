"""Paying an order: in the checkout call with `payment_method`, or afterwards through the
payments service. A paid order's stock is sold; a declined card leaves it pending and its
stock held, ready for another attempt; no order is ever charged twice."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from harness import Stack, serve_service

from .support import (
    HOLD_LAPSED_NOTE,
    SERVICE,
    VISA,
    Shopper,
    cancel,
    make_product,
    order_of,
    pay,
    pay_in_orders,
    payments_of,
    place,
    placed,
    purchase,
    reservation_status,
    stock_of,
)

DECLINED = [
    ("pm_card_chargeDeclined", "card_declined"),
    ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card"),
    ("pm_card_processingError", "processing_error"),
]


@pytest.mark.parametrize("method", [VISA, "pm_card_mastercard"])
async def test_an_order_paid_at_checkout_is_paid_and_its_stock_sold(
    orders: httpx.AsyncClient,
    products: httpx.AsyncClient,
    payments: httpx.AsyncClient,
    method: str,
) -> None:
    product = await make_product(products, stock=10, price="19.99")
    shopper = Shopper()

    order = await placed(orders, shopper, [(product["id"], 3)], method)

    assert order["status"] == "paid"
    assert order["total_amount"] == "59.97"
    assert order["payment"]["status"] == "succeeded"
    assert order["payment"]["failure_code"] is None
    assert [(c["status"], c["note"]) for c in order["status_history"]] == [
        ("pending", "Order placed."),
        ("paid", "Payment received."),
    ]
    assert await stock_of(products, product["id"]) == 7
    assert await reservation_status(products, order["id"]) == "confirmed"
    [payment] = await payments_of(payments, shopper)
    assert payment["id"] == order["payment"]["id"]
    assert payment["order_id"] == order["id"]
    assert payment["user_id"] == shopper.id
    assert (payment["amount"], payment["currency"]) == ("59.97", "USD")
    assert (payment["status"], payment["payment_method"]) == ("succeeded", method)
    assert payment["transaction_id"].startswith("ch_")
    assert payment["refunded_amount"] == "0.00"


@pytest.mark.parametrize(("method", "code"), DECLINED)
async def test_a_declined_card_leaves_the_order_pending_and_its_stock_held(
    orders: httpx.AsyncClient,
    products: httpx.AsyncClient,
    payments: httpx.AsyncClient,
    method: str,
    code: str,
) -> None:
    product = await make_product(products, stock=10, price="5.00")
    shopper = Shopper()

    order = await placed(orders, shopper, [(product["id"], 2)], method)

    assert order["status"] == "pending"
    assert order["payment"]["status"] == "failed"
    assert order["payment"]["failure_code"] == code
    assert [c["status"] for c in order["status_history"]] == ["pending"]
    assert await stock_of(products, product["id"]) == 8
    assert await reservation_status(products, order["id"]) == "held"
    [payment] = await payments_of(payments, shopper)
    assert (payment["id"], payment["status"], payment["failure_code"]) == (
        order["payment"]["id"],
        "failed",
        code,
    )

    # Another card, through the payments service.
    key = uuid.uuid4().hex
    paid = await pay(payments, shopper, order["id"], VISA, key=key)

    assert paid.status_code == 201, paid.text
    payment = paid.json()
    assert (payment["status"], payment["order_id"], payment["amount"]) == (
        "succeeded",
        order["id"],
        "10.00",
    )
    after = await order_of(orders, order["id"])
    assert after["status"] == "paid"
    assert after["payment"] == {"id": payment["id"], "status": "succeeded", "failure_code": None}
    assert await stock_of(products, product["id"]) == 8
    assert await reservation_status(products, order["id"]) == "confirmed"

    # The same request again replays the payment: nothing is charged twice.
    again = await pay(payments, shopper, order["id"], VISA, key=key)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == payment["id"]
    made = await payments_of(payments, shopper)
    assert sorted(p["status"] for p in made) == ["failed", "succeeded"]


async def test_a_pending_order_is_paid_through_the_payments_service(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(orders, products, stock=4, quantity=4, price="11.00")

    declined = await pay(payments, shopper, order["id"], "pm_card_chargeDeclined")
    assert declined.status_code == 201, declined.text
    assert (declined.json()["status"], declined.json()["failure_code"]) == (
        "failed",
        "card_declined",
    )
    assert (await order_of(orders, order["id"]))["status"] == "pending"

    paid = await pay(payments, shopper, order["id"], VISA)

    assert paid.status_code == 201, paid.text
    assert paid.json()["amount"] == "44.00"
    assert (await order_of(orders, order["id"]))["status"] == "paid"
    assert await stock_of(products, product["id"]) == 0

    # A new key for a paid order is a conflict, and charges nothing.
    twice = await pay(payments, shopper, order["id"], VISA)
    assert twice.status_code == 409, twice.text
    assert twice.json()["code"] == "order_not_pending"
    made = await payments_of(payments, shopper)
    assert sorted(p["status"] for p in made) == ["failed", "succeeded"]


async def test_an_unknown_payment_method_at_checkout_is_422_and_holds_nothing(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=3)
    shopper = Shopper()

    response = await place(orders, shopper, [(product["id"], 2)], "pm_card_bitcoin")

    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["payment_method"]
    assert await stock_of(products, product["id"]) == 3
    listed = await orders.get("/api/orders", headers=shopper.headers)
    assert listed.json()["items"] == []
    assert await payments_of(payments, shopper) == []


async def test_an_unknown_payment_method_later_is_422_and_the_order_waits(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(orders, products, stock=3, quantity=2)

    response = await pay(payments, shopper, order["id"], "pm_card_bitcoin")

    assert response.status_code == 422, response.text
    after = await order_of(orders, order["id"])
    assert (after["status"], after["payment"]) == ("pending", None)
    assert await stock_of(products, product["id"]) == 1
    # The order can still be paid.
    assert (await pay(payments, shopper, order["id"], VISA)).status_code == 201
    assert (await order_of(orders, order["id"]))["status"] == "paid"


async def test_paying_someone_elses_order_is_404(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    _, owner, order = await purchase(orders, products, stock=3, quantity=1)
    stranger = Shopper()

    response = await pay(payments, stranger, order["id"], VISA)
    unknown = await pay(payments, stranger, str(uuid.uuid4()), VISA)

    assert response.status_code == 404, response.text
    assert unknown.status_code == 404, unknown.text
    assert response.json()["code"] == unknown.json()["code"] == "order_not_found"
    assert (await order_of(orders, order["id"]))["status"] == "pending"
    assert await payments_of(payments, stranger) == []
    assert await payments_of(payments, owner) == []


async def test_paying_a_paid_or_cancelled_order_is_409(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=5)
    shopper = Shopper()
    paid = await placed(orders, shopper, [(product["id"], 1)], VISA)
    dropped = await placed(orders, shopper, [(product["id"], 1)])
    assert (await cancel(orders, dropped["id"], shopper.headers)).status_code == 200

    for order, status in ((paid, "paid"), (dropped, "cancelled")):
        response = await pay(payments, shopper, order["id"], VISA)
        assert response.status_code == 409, response.text
        problem = response.json()
        assert (problem["code"], problem["current_status"]) == ("order_not_pending", status)
    assert [p["order_id"] for p in await payments_of(payments, shopper)] == [paid["id"]]
    assert await stock_of(products, product["id"]) == 4


async def test_a_payment_needs_an_idempotency_key(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    _, shopper, order = await purchase(orders, products, stock=5, quantity=1)

    response = await payments.post(
        "/api/payments",
        json={"order_id": order["id"], "payment_method": VISA},
        headers=shopper.headers,
    )

    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["Idempotency-Key"]
    assert (await order_of(orders, order["id"]))["status"] == "pending"


async def test_a_retry_after_a_processing_error_with_another_card_and_the_same_key(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    _, shopper, order = await purchase(orders, products, stock=5, quantity=1, price="6.00")
    key = uuid.uuid4().hex

    failed = await pay(payments, shopper, order["id"], "pm_card_processingError", key=key)
    assert failed.status_code == 201, failed.text
    assert failed.json()["failure_code"] == "processing_error"

    other_card = await pay(payments, shopper, order["id"], VISA, key=key)

    # The key was spent on another card: refused, and the order is free for a new key.
    assert other_card.status_code == 422, other_card.text
    assert other_card.json()["code"] == "idempotency_key_reused"
    assert (await order_of(orders, order["id"]))["status"] == "pending"
    paid = await pay(payments, shopper, order["id"], VISA)
    assert paid.status_code == 201, paid.text
    assert (await order_of(orders, order["id"]))["status"] == "paid"
    made = await payments_of(payments, shopper)
    assert sorted(p["status"] for p in made) == ["failed", "succeeded"]


async def test_paying_an_order_whose_hold_was_let_go_is_409(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(orders, products, stock=5, quantity=2)
    # The products service let the hold go (as its sweep does with an expired one).
    released = await products.post(f"/internal/reservations/{order['id']}/release", headers=SERVICE)
    assert released.status_code == 200
    assert await stock_of(products, product["id"]) == 5

    response = await pay(payments, shopper, order["id"], VISA)

    assert response.status_code == 409, response.text
    assert (response.json()["code"], response.json()["current_status"]) == (
        "order_not_pending",
        "cancelled",
    )
    after = await order_of(orders, order["id"])
    assert after["status"] == "cancelled"
    assert after["status_history"][-1]["note"] == HOLD_LAPSED_NOTE
    assert await payments_of(payments, shopper) == []
    assert await stock_of(products, product["id"]) == 5


async def test_a_hold_let_go_while_the_card_is_charged_is_refunded(
    stack: Stack,
    orders: httpx.AsyncClient,
    products: httpx.AsyncClient,
    payments: httpx.AsyncClient,
) -> None:
    product, shopper, order = await purchase(orders, products, stock=5, quantity=2, price="7.00")
    slow = stack.settings.model_copy(update={"payment_latency_seconds": 2.0})

    with serve_service("payments", slow) as slow_payments:
        settings = stack.settings.model_copy(update={"payments_url": slow_payments.url})
        with serve_service("orders", settings) as slow_orders:
            async with httpx.AsyncClient(base_url=slow_orders.url, timeout=30) as client:
                paying = asyncio.create_task(pay_in_orders(client, shopper, order["id"]))
                # Sequencing, not timing: the card processor takes 2 s to answer; the hold
                # is let go while it thinks (the reservation check before it is quick).
                await asyncio.sleep(0.6)
                released = await products.post(
                    f"/internal/reservations/{order['id']}/release", headers=SERVICE
                )
                assert released.status_code == 200
                response = await paying

    assert response.status_code == 200, response.text
    after = await order_of(orders, order["id"])
    assert after["status"] == "cancelled"
    assert after["status_history"][-1]["note"] == HOLD_LAPSED_NOTE
    assert after["payment"]["status"] == "refunded"
    [payment] = await payments_of(payments, shopper)
    assert (payment["status"], payment["amount"], payment["refunded_amount"]) == (
        "refunded",
        "14.00",
        "14.00",
    )
    assert await stock_of(products, product["id"]) == 5
