"""Placing an order: catalog prices, all-or-nothing stock, validation, Idempotency-Key."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import httpx
import pytest

from .support import (
    ADDRESS,
    ADMIN,
    Shopper,
    make_product,
    order_body,
    place,
    placed,
    purchase,
    reservation_status,
    stock_of,
)

ORDER_NUMBER = re.compile(r"^MC-[23456789A-HJ-NP-Z]{4}-[23456789A-HJ-NP-Z]{4}$")


async def test_an_order_without_payment_is_pending_at_catalog_prices(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    teapot = await make_product(products, stock=10, price="19.99")
    cups = await make_product(products, stock=5, price="4.50")
    shopper = Shopper()

    order = await placed(orders, shopper, [(teapot["id"], 2), (cups["id"], 3)])

    assert order["status"] == "pending"
    assert order["user_id"] == shopper.id
    assert ORDER_NUMBER.match(order["order_number"]), order["order_number"]
    assert order["payment"] is None
    assert order["currency"] == "USD"
    assert order["total_amount"] == "53.48"
    assert order["items"] == [
        {
            "product_id": teapot["id"],
            "name": teapot["name"],
            "sku": teapot["sku"],
            "quantity": 2,
            "unit_price": "19.99",
            "line_total": "39.98",
        },
        {
            "product_id": cups["id"],
            "name": cups["name"],
            "sku": cups["sku"],
            "quantity": 3,
            "unit_price": "4.50",
            "line_total": "13.50",
        },
    ]
    assert order["shipping_address"] == ADDRESS
    assert [change["status"] for change in order["status_history"]] == ["pending"]
    assert order["status_history"][0]["at"].endswith("Z")
    assert order["created_at"].endswith("Z")
    # The stock is held for the order.
    assert await stock_of(products, teapot["id"]) == 8
    assert await stock_of(products, cups["id"]) == 2
    assert await reservation_status(products, order["id"]) == "held"
    # And the owner reads the same order back.
    again = await orders.get(f"/api/orders/{order['id']}", headers=shopper.headers)
    assert again.status_code == 200
    assert again.json() == order


async def test_order_numbers_differ(orders: httpx.AsyncClient, products: httpx.AsyncClient) -> None:
    product = await make_product(products, stock=10)
    shopper = Shopper()
    numbers = {(await placed(orders, shopper, [(product["id"], 1)]))["order_number"] for _ in "abc"}
    assert len(numbers) == 3


async def test_a_price_sent_by_the_client_is_refused(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=10, price="19.99")
    shopper = Shopper()
    body = order_body([(product["id"], 1)])
    body["items"][0]["unit_price"] = "0.01"

    response = await orders.post("/api/orders", json=body, headers=shopper.headers)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["items.0.unit_price"]
    assert await stock_of(products, product["id"]) == 10

    body = order_body([(product["id"], 1)], total_amount="0.01")
    response = await orders.post("/api/orders", json=body, headers=shopper.headers)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["total_amount"]
    assert await _orders_of(orders, shopper) == []


async def test_insufficient_stock_refuses_every_line_and_holds_nothing(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    plenty = await make_product(products, stock=10)
    scarce = await make_product(products, stock=2)
    shopper = Shopper()

    response = await place(orders, shopper, [(plenty["id"], 4), (scarce["id"], 3)])

    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "insufficient_stock"
    assert problem["short"] == [{"product_id": scarce["id"], "requested": 3, "available": 2}]
    assert await stock_of(products, plenty["id"]) == 10
    assert await stock_of(products, scarce["id"]) == 2
    assert await _orders_of(orders, shopper) == []


async def test_an_unknown_product_is_a_validation_error(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=10)
    shopper = Shopper()

    response = await place(orders, shopper, [(product["id"], 1), (str(uuid.uuid4()), 1)])

    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["items.1.product_id"]
    assert await stock_of(products, product["id"]) == 10
    assert await _orders_of(orders, shopper) == []

    response = await place(orders, shopper, [(str(uuid.uuid4()), 1)])
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["items.0.product_id"]


def _invalid_bodies(product_id: str) -> list[tuple[str, Any, str]]:
    """(what, body, the field the error names)."""

    def with_items(*items: Any) -> dict[str, Any]:
        return {"items": list(items), "shipping_address": dict(ADDRESS)}

    def with_address(**changes: Any) -> dict[str, Any]:
        address = {**ADDRESS, **changes}
        return {
            "items": [{"product_id": product_id, "quantity": 1}],
            "shipping_address": {k: v for k, v in address.items() if v is not None},
        }

    line = {"product_id": product_id, "quantity": 1}
    return [
        ("quantity 0", with_items({**line, "quantity": 0}), "items.0.quantity"),
        ("quantity 101", with_items({**line, "quantity": 101}), "items.0.quantity"),
        ("quantity true", with_items({**line, "quantity": True}), "items.0.quantity"),
        ("quantity 1.5", with_items({**line, "quantity": 1.5}), "items.0.quantity"),
        ("quantity text", with_items({**line, "quantity": "two"}), "items.0.quantity"),
        ("51 lines", with_items(*[line] * 51), "items"),
        ("no lines", with_items(), "items"),
        ("missing items", {"shipping_address": dict(ADDRESS)}, "items"),
        ("missing address", {"items": [line]}, "shipping_address"),
        ("missing city", with_address(city=None), "shipping_address.city"),
        ("blank name", with_address(name="   "), "shipping_address.name"),
        ("blank line1", with_address(line1=""), "shipping_address.line1"),
        ("blank postal code", with_address(postal_code=" "), "shipping_address.postal_code"),
        ("missing country", with_address(country=None), "shipping_address.country"),
        ("unknown address field", with_address(phone="555"), "shipping_address.phone"),
        # NUL is refused wherever it hides, by the field that holds it.
        ("NUL in the address", with_address(city="Lon\x00don"), "shipping_address"),
        ("NUL in a product id", with_items({**line, "product_id": "\x00" * 36}), "items"),
        ("non-UUID product", with_items({**line, "product_id": "teapot"}), "items.0.product_id"),
        (
            "non-UUID of 36 characters",
            with_items({**line, "product_id": "-" * 36}),
            "items.0.product_id",
        ),
        ("missing product id", with_items({"quantity": 1}), "items.0.product_id"),
        ("unknown line field", with_items({**line, "price": "1.00"}), "items.0.price"),
        (
            "bad payment method",
            {**with_items(line), "payment_method": "pm card; drop"},
            "payment_method",
        ),
        ("items not a list", {**with_items(), "items": {"a": 1}}, "items"),
    ]


async def test_invalid_orders_answer_422_and_hold_nothing(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=100)
    shopper = Shopper()

    for what, body, field in _invalid_bodies(product["id"]):
        response = await orders.post("/api/orders", json=body, headers=shopper.headers)
        assert response.status_code == 422, (what, response.text)
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json", what
        assert field in [error["field"] for error in problem["errors"]], (what, problem)

    assert await stock_of(products, product["id"]) == 100
    assert await _orders_of(orders, shopper) == []


async def test_fifty_lines_and_quantity_one_hundred_are_allowed(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=200)
    many = [await make_product(products, stock=1, price="1.00") for _ in range(49)]
    shopper = Shopper()

    lines = [(product["id"], 100)] + [(other["id"], 1) for other in many]
    order = await placed(orders, shopper, lines)

    assert len(order["items"]) == 50
    assert order["total_amount"] == "2048.00"  # 100 x 19.99 + 49 x 1.00
    assert await stock_of(products, product["id"]) == 100


async def test_malformed_json_is_400(orders: httpx.AsyncClient) -> None:
    response = await orders.post(
        "/api/orders",
        content=b'{"items": [',
        headers={**Shopper().headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text


async def test_placing_needs_a_token(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=3)
    response = await orders.post("/api/orders", json=order_body([(product["id"], 1)]))
    assert response.status_code == 401
    response = await orders.post(
        "/api/orders",
        json=order_body([(product["id"], 1)]),
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert response.status_code == 401
    assert await stock_of(products, product["id"]) == 3


async def test_a_repeated_idempotency_key_replays_the_order(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=10)
    shopper = Shopper()
    key = uuid.uuid4().hex

    first = await place(orders, shopper, [(product["id"], 2)], key=key)
    again = await place(orders, shopper, [(product["id"], 2)], key=key)

    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["order_number"] == first.json()["order_number"]
    assert await stock_of(products, product["id"]) == 8
    assert [order["id"] for order in await _orders_of(orders, shopper)] == [first.json()["id"]]


async def test_an_idempotency_key_is_the_callers_own(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=10)
    key = uuid.uuid4().hex
    alice, bob = Shopper(), Shopper()

    first = await place(orders, alice, [(product["id"], 1)], key=key)
    second = await place(orders, bob, [(product["id"], 1)], key=key)

    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    assert second.json()["id"] != first.json()["id"]
    assert second.json()["user_id"] == bob.id
    assert await stock_of(products, product["id"]) == 8


async def test_the_same_idempotency_key_with_another_body_is_refused(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=10)
    shopper = Shopper()
    key = uuid.uuid4().hex

    first = await place(orders, shopper, [(product["id"], 1)], key=key)
    other = await place(orders, shopper, [(product["id"], 3)], key=key)

    assert first.status_code == 201
    assert other.status_code == 422, other.text
    assert other.json()["code"] == "idempotency_key_reused"
    assert await stock_of(products, product["id"]) == 9
    assert len(await _orders_of(orders, shopper)) == 1


async def test_an_invalid_idempotency_key_is_refused(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=10)
    shopper = Shopper()
    for key in (b"", b"x" * 256, "caf\u00e9".encode("latin-1"), b"a\tb"):
        response = await orders.post(
            "/api/orders",
            json=order_body([(product["id"], 1)]),
            headers=[
                (b"Authorization", shopper.headers["Authorization"].encode()),
                (b"Idempotency-Key", key),
            ],
        )
        assert response.status_code == 422, (key, response.text)
    assert await stock_of(products, product["id"]) == 10


async def test_a_refused_order_frees_its_idempotency_key(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=1)
    shopper = Shopper()
    key = uuid.uuid4().hex

    refused = await place(orders, shopper, [(product["id"], 2)], key=key)
    assert refused.status_code == 409, refused.text

    accepted = await place(orders, shopper, [(product["id"], 1)], key=key)
    assert accepted.status_code == 201, accepted.text
    assert "Idempotent-Replayed" not in accepted.headers
    assert await stock_of(products, product["id"]) == 0


async def test_concurrent_requests_with_one_key_place_one_order(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=50)
    shopper = Shopper()
    key = uuid.uuid4().hex

    answers = await asyncio.gather(
        *(place(orders, shopper, [(product["id"], 3)], key=key) for _ in range(10))
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert set(statuses) <= {201, 409}, [answer.text for answer in answers]
    created = [answer for answer in answers if answer.status_code == 201]
    assert created, statuses
    assert {answer.json()["id"] for answer in created} == {created[0].json()["id"]}
    fresh = [answer for answer in created if "Idempotent-Replayed" not in answer.headers]
    assert len(fresh) == 1
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["code"] == "idempotency_in_flight", answer.text
    assert await stock_of(products, product["id"]) == 47
    assert len(await _orders_of(orders, shopper)) == 1
    # A repeat after the dust settled replays it.
    late = await place(orders, shopper, [(product["id"], 3)], key=key)
    assert late.status_code == 201
    assert late.headers["Idempotent-Replayed"] == "true"
    assert late.json()["id"] == created[0].json()["id"]


@pytest.mark.parametrize("quantity", [1, 100])
async def test_the_whole_stock_can_be_ordered(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, quantity: int
) -> None:
    product = await make_product(products, stock=quantity)
    order = await placed(orders, Shopper(), [(product["id"], quantity)])
    assert order["status"] == "pending"
    assert await stock_of(products, product["id"]) == 0
    refused = await place(orders, Shopper(), [(product["id"], 1)])
    assert refused.status_code == 409
    assert refused.json()["short"] == [
        {"product_id": product["id"], "requested": 1, "available": 0}
    ]


async def _orders_of(orders: httpx.AsyncClient, shopper: Shopper) -> list[dict[str, Any]]:
    response = await orders.get("/api/orders?limit=100", headers=shopper.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_an_order_is_in_its_products_currency(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=5, price="12.00", currency="EUR")
    order = await placed(orders, Shopper(), [(product["id"], 2)])
    assert (order["total_amount"], order["currency"]) == ("24.00", "EUR")


async def test_products_priced_in_different_currencies_cannot_share_an_order(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    dollars = await make_product(products, stock=5, price="10.00", currency="USD")
    euros = await make_product(products, stock=5, price="10.00", currency="EUR")
    shopper = Shopper()

    response = await place(orders, shopper, [(dollars["id"], 1), (euros["id"], 1)])

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "mixed_currencies"
    assert [error["field"] for error in response.json()["errors"]] == ["items"]
    assert await stock_of(products, dollars["id"]) == 5
    assert await stock_of(products, euros["id"]) == 5
    assert await _orders_of(orders, shopper) == []


async def test_the_same_product_on_two_lines_is_one_item(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=10, price="3.00")
    other = await make_product(products, stock=10, price="1.00")

    order = await placed(
        orders, Shopper(), [(product["id"], 2), (other["id"], 1), (product["id"], 3)]
    )

    assert [
        (item["product_id"], item["quantity"], item["line_total"]) for item in order["items"]
    ] == [
        (product["id"], 5, "15.00"),
        (other["id"], 1, "1.00"),
    ]
    assert order["total_amount"] == "16.00"
    assert await stock_of(products, product["id"]) == 5


async def test_an_order_keeps_the_price_and_name_it_was_sold_at(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(orders, products, stock=10, quantity=1, price="10.00")

    changed = await products.put(
        f"/api/products/{product['id']}", json={"price": "12.00", "name": "Renamed"}, headers=ADMIN
    )
    assert changed.status_code == 200, changed.text
    later = await placed(orders, shopper, [(product["id"], 1)])
    deleted = await products.delete(f"/api/products/{product['id']}", headers=ADMIN)
    assert deleted.status_code == 204

    kept = await orders.get(f"/api/orders/{order['id']}", headers=shopper.headers)
    assert kept.json()["items"] == order["items"]
    assert (order["items"][0]["unit_price"], order["items"][0]["name"]) == (
        "10.00",
        product["name"],
    )
    assert (later["items"][0]["unit_price"], later["items"][0]["name"]) == ("12.00", "Renamed")
    gone = await place(orders, shopper, [(product["id"], 1)])
    assert gone.status_code == 422, gone.text
    assert [error["field"] for error in gone.json()["errors"]] == ["items.0.product_id"]
