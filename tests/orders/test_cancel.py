"""Cancelling an order: its stock comes back exactly once and a paid order is refunded in full
exactly once, whoever cancels and however often."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from .support import (
    ADMIN,
    VISA,
    Shopper,
    advance,
    cancel,
    make_product,
    order_of,
    payments_of,
    placed,
    purchase,
    reservation_status,
    set_status,
    stock_of,
)


async def test_cancelling_a_pending_order_restores_its_stock_once(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(orders, products, stock=10, quantity=4)
    assert await stock_of(products, product["id"]) == 6

    response = await cancel(orders, order["id"], shopper.headers, reason="Changed my mind")

    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["payment"] is None
    assert [(c["status"], c["note"]) for c in cancelled["status_history"]] == [
        ("pending", "Order placed."),
        ("cancelled", "Changed my mind"),
    ]
    assert await stock_of(products, product["id"]) == 10
    assert await reservation_status(products, order["id"]) == "released"

    again = await cancel(orders, order["id"], shopper.headers)
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "illegal_transition"
    assert await stock_of(products, product["id"]) == 10
    assert (await order_of(orders, order["id"]))["status_history"] == cancelled["status_history"]


async def test_a_cancellation_without_a_reason_says_who_cancelled(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=10)
    shopper = Shopper()
    mine = await placed(orders, shopper, [(product["id"], 1)])
    theirs = await placed(orders, shopper, [(product["id"], 1)])

    by_owner = await orders.post(f"/api/orders/{mine['id']}/cancel", headers=shopper.headers)
    by_admin = await orders.post(f"/api/orders/{theirs['id']}/cancel", headers=ADMIN)

    assert by_owner.status_code == by_admin.status_code == 200
    assert by_owner.json()["status_history"][-1]["note"] == "Cancelled by the customer."
    assert by_admin.json()["status_history"][-1]["note"] == "Cancelled by an administrator."
    assert await stock_of(products, product["id"]) == 10


async def test_cancelling_a_paid_order_refunds_it_in_full_once(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(
        orders, products, stock=10, quantity=2, price="12.50", paid_with=VISA
    )
    assert order["status"] == "paid"
    assert await stock_of(products, product["id"]) == 8

    response = await cancel(orders, order["id"], shopper.headers)

    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["payment"]["id"] == order["payment"]["id"]
    assert cancelled["payment"]["status"] == "refunded"
    assert await stock_of(products, product["id"]) == 10
    assert await reservation_status(products, order["id"]) == "released"
    [payment] = await payments_of(payments, shopper)
    assert payment["id"] == order["payment"]["id"]
    assert payment["status"] == "refunded"
    assert payment["amount"] == "25.00"
    assert payment["refunded_amount"] == payment["amount"]
    assert [refund["amount"] for refund in payment["refunds"]] == ["25.00"]

    again = await cancel(orders, order["id"], shopper.headers)
    assert again.status_code == 409, again.text
    [payment] = await payments_of(payments, shopper)
    assert len(payment["refunds"]) == 1
    assert payment["refunded_amount"] == "25.00"
    assert await stock_of(products, product["id"]) == 10


async def test_an_order_in_processing_can_still_be_cancelled(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(
        orders, products, stock=3, quantity=3, price="7.00", paid_with=VISA
    )
    await advance(orders, order["id"], to="processing")

    response = await cancel(orders, order["id"], shopper.headers)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert await stock_of(products, product["id"]) == 3
    [payment] = await payments_of(payments, shopper)
    assert (payment["status"], payment["refunded_amount"]) == ("refunded", "21.00")


async def test_a_shipped_order_cannot_be_cancelled(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(orders, products, stock=5, quantity=2, paid_with=VISA)
    await advance(orders, order["id"], to="shipped")

    for headers in (shopper.headers, ADMIN):
        response = await cancel(orders, order["id"], headers)
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["code"] == "illegal_transition"
        assert (problem["current_status"], problem["requested_status"]) == ("shipped", "cancelled")
    assert (await set_status(orders, order["id"], "cancelled")).status_code == 409

    assert (await order_of(orders, order["id"]))["status"] == "shipped"
    assert await stock_of(products, product["id"]) == 3
    [payment] = await payments_of(payments, shopper)
    assert payment["status"] == "succeeded"
    assert payment["refunds"] == []


async def test_concurrent_cancels_refund_and_restock_once(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(
        orders, products, stock=6, quantity=3, price="9.99", paid_with=VISA
    )
    assert order["status"] == "paid"

    answers = await asyncio.gather(
        *(cancel(orders, order["id"], shopper.headers) for _ in range(5))
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 409, 409, 409, 409], [answer.text for answer in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["code"] in ("illegal_transition", "order_busy"), answer.text
    final = await order_of(orders, order["id"])
    assert final["status"] == "cancelled"
    assert [c["status"] for c in final["status_history"]] == ["pending", "paid", "cancelled"]
    assert await stock_of(products, product["id"]) == 6
    [payment] = await payments_of(payments, shopper)
    assert payment["status"] == "refunded"
    assert [refund["amount"] for refund in payment["refunds"]] == ["29.97"]


async def test_an_admin_cancels_anyones_order_a_customer_only_their_own(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product, owner, order = await purchase(
        orders, products, stock=10, quantity=2, price="5.00", paid_with=VISA
    )
    stranger = Shopper()

    refused = await cancel(orders, order["id"], stranger.headers)
    assert refused.status_code == 404, refused.text
    assert refused.json()["code"] == "order_not_found"
    assert (await order_of(orders, order["id"]))["status"] == "paid"

    response = await cancel(orders, order["id"], ADMIN, reason="Out of stock in the warehouse")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["status_history"][-1]["note"] == "Out of stock in the warehouse"
    assert await stock_of(products, product["id"]) == 10
    [payment] = await payments_of(payments, owner)
    assert (payment["status"], payment["refunded_amount"]) == ("refunded", "10.00")


async def test_an_admin_cancels_through_the_status_endpoint_too(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(
        orders, products, stock=4, quantity=4, price="3.00", paid_with=VISA
    )

    response = await set_status(orders, order["id"], "cancelled", "Fraud suspected")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["status_history"][-1]["note"] == "Fraud suspected"
    assert await stock_of(products, product["id"]) == 4
    [payment] = await payments_of(payments, shopper)
    assert (payment["status"], payment["refunded_amount"]) == ("refunded", "12.00")


async def test_a_cancel_reason_is_validated(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(orders, products, stock=2, quantity=1)
    for body in ({"reason": "x" * 501}, {"reason": "a\x00b"}, {"why": "no"}, {"reason": 5}):
        response = await orders.post(
            f"/api/orders/{order['id']}/cancel", json=body, headers=shopper.headers
        )
        assert response.status_code == 422, (body, response.text)
    assert (await order_of(orders, order["id"]))["status"] == "pending"
    assert await stock_of(products, product["id"]) == 1


async def test_cancelling_refunds_what_an_admin_had_not_refunded_yet(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(
        orders, products, stock=5, quantity=2, price="20.00", paid_with=VISA
    )
    partial = await payments.post(
        f"/api/payments/{order['payment']['id']}/refund",
        json={"amount": "15.00", "reason": "Scratched lid"},
        headers={**ADMIN, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert partial.status_code == 201, partial.text

    response = await cancel(orders, order["id"], shopper.headers)

    assert response.status_code == 200, response.text
    assert response.json()["payment"]["status"] == "refunded"
    [payment] = await payments_of(payments, shopper)
    assert (payment["status"], payment["refunded_amount"]) == ("refunded", "40.00")
    assert sorted(refund["amount"] for refund in payment["refunds"]) == ["15.00", "25.00"]
    assert await stock_of(products, product["id"]) == 5


async def test_cancelling_an_order_whose_card_was_declined_refunds_nothing(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(
        orders, products, stock=5, quantity=2, paid_with="pm_card_chargeDeclined"
    )
    assert order["status"] == "pending"

    response = await cancel(orders, order["id"], shopper.headers)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["payment"]["status"] == "failed"
    [payment] = await payments_of(payments, shopper)
    assert (payment["status"], payment["refunds"]) == ("failed", [])
    assert await stock_of(products, product["id"]) == 5
