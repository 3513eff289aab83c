"""An admin moves an order along API.md's state machine, and only along it."""

from __future__ import annotations

import uuid

import httpx
import pytest

from .support import (
    ADMIN,
    VISA,
    Shopper,
    advance,
    order_of,
    purchase,
    reservation_status,
    set_status,
    stock_of,
)


async def test_an_admin_moves_a_paid_order_to_delivered(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(orders, products, stock=5, quantity=2, paid_with=VISA)
    assert order["status"] == "paid"

    for status, note in (
        ("processing", "Picked in aisle 7"),
        ("shipped", "Tracking 1Z999AA10123456784"),
        ("delivered", None),
    ):
        response = await set_status(orders, order["id"], status, note)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
        assert response.json()["updated_at"] >= order["updated_at"]

    final = (await orders.get(f"/api/orders/{order['id']}", headers=shopper.headers)).json()
    assert final["status"] == "delivered"
    assert [(c["status"], c["note"]) for c in final["status_history"]] == [
        ("pending", "Order placed."),
        ("paid", "Payment received."),
        ("processing", "Picked in aisle 7"),
        ("shipped", "Tracking 1Z999AA10123456784"),
        ("delivered", None),
    ]
    stamps = [change["at"] for change in final["status_history"]]
    assert stamps == sorted(stamps)
    # Sold stock stays sold.
    assert await stock_of(products, product["id"]) == 3
    assert await reservation_status(products, order["id"]) == "confirmed"


async def test_moves_the_state_machine_forbids_are_409(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product, _, pending = await purchase(orders, products, stock=10, quantity=1)

    for wanted in ("processing", "shipped", "delivered", "pending"):
        response = await set_status(orders, pending["id"], wanted)
        assert response.status_code == 409, (wanted, response.text)
        problem = response.json()
        assert problem["code"] == "illegal_transition"
        assert (problem["current_status"], problem["requested_status"]) == ("pending", wanted)

    after = await order_of(orders, pending["id"])
    assert after["status"] == "pending"
    assert after["status_history"] == pending["status_history"]
    assert await stock_of(products, product["id"]) == 9


async def test_an_admin_cannot_mark_an_order_paid(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    _, _, order = await purchase(orders, products, stock=10, quantity=1)

    response = await set_status(orders, order["id"], "paid", "Paid in cash")

    assert response.status_code == 409, response.text
    assert response.json()["code"] == "payment_required"
    assert (await order_of(orders, order["id"]))["status"] == "pending"
    assert await reservation_status(products, order["id"]) == "held"


async def test_a_delivered_order_is_final(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product, _, order = await purchase(orders, products, stock=10, quantity=1, paid_with=VISA)
    await advance(orders, order["id"], to="delivered")

    for wanted in ("cancelled", "shipped", "paid", "pending", "delivered"):
        response = await set_status(orders, order["id"], wanted)
        assert response.status_code == 409, (wanted, response.text)
    cancelled = await orders.post(f"/api/orders/{order['id']}/cancel", headers=ADMIN)
    assert cancelled.status_code == 409
    assert (await order_of(orders, order["id"]))["status"] == "delivered"
    assert await stock_of(products, product["id"]) == 9


async def test_no_step_can_be_skipped_or_repeated(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    _, _, order = await purchase(orders, products, stock=10, quantity=1, paid_with=VISA)

    assert (await set_status(orders, order["id"], "shipped")).status_code == 409
    assert (await set_status(orders, order["id"], "delivered")).status_code == 409
    assert (await set_status(orders, order["id"], "paid")).status_code == 409
    assert (await set_status(orders, order["id"], "processing")).status_code == 200
    assert (await set_status(orders, order["id"], "processing")).status_code == 409
    assert (await set_status(orders, order["id"], "delivered")).status_code == 409
    assert (await order_of(orders, order["id"]))["status"] == "processing"


async def test_a_cancelled_order_stays_cancelled(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product, _, order = await purchase(orders, products, stock=10, quantity=1)
    assert (
        await orders.post(f"/api/orders/{order['id']}/cancel", headers=ADMIN)
    ).status_code == 200

    for wanted in ("pending", "paid", "processing", "shipped", "delivered", "cancelled"):
        response = await set_status(orders, order["id"], wanted)
        assert response.status_code == 409, (wanted, response.text)
    assert await stock_of(products, product["id"]) == 10


async def test_only_an_admin_changes_a_status(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(orders, products, stock=10, quantity=1)
    path = f"/api/orders/{order['id']}/status"

    as_owner = await orders.patch(path, json={"status": "cancelled"}, headers=shopper.headers)
    as_other = await orders.patch(path, json={"status": "cancelled"}, headers=Shopper().headers)
    anonymous = await orders.patch(path, json={"status": "cancelled"})

    assert as_owner.status_code == 403, as_owner.text
    assert as_other.status_code == 403, as_other.text
    assert anonymous.status_code == 401, anonymous.text
    assert (await order_of(orders, order["id"]))["status"] == "pending"
    assert await stock_of(products, product["id"]) == 9


@pytest.mark.parametrize(
    "body",
    [
        {"status": "lost"},
        {"status": "PAID"},
        {},
        {"status": "processing", "note": "x" * 501},
        {"status": "processing", "note": "a\x00b"},
        {"status": "processing", "by": "me"},
    ],
)
async def test_invalid_status_changes_are_422(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, body: dict[str, str]
) -> None:
    _, _, order = await purchase(orders, products, stock=10, quantity=1)
    response = await orders.patch(f"/api/orders/{order['id']}/status", json=body, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert (await order_of(orders, order["id"]))["status"] == "pending"


async def test_the_status_of_an_unknown_order_is_404(orders: httpx.AsyncClient) -> None:
    response = await set_status(orders, str(uuid.uuid4()), "processing")
    assert response.status_code == 404
    assert response.json()["code"] == "order_not_found"
    response = await set_status(orders, str(uuid.uuid4()), "cancelled")
    assert response.status_code == 404
