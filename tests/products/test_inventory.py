"""The internal reservation API: reserve all lines or none, confirm, release, each idempotent per
order id, with what a shopper and the products database see after every call."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Table

from mercato.products.models import Product

from .support import ADMIN, SERVICE, bearer, levels, make_product, reserve

_P: Table = Product.__table__  # type: ignore[assignment]


async def shown_stock(client: httpx.AsyncClient, product_id: str) -> int:
    """The stock a shopper reads on the product page (through the cache)."""
    response = await client.get(f"/api/products/{product_id}")
    assert response.status_code == 200, response.text
    stock: int = response.json()["stock"]
    return stock


def path(order_id: str, action: str = "") -> str:
    return f"/internal/reservations/{order_id}" + (f"/{action}" if action else "")


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def error_fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    return [error["field"] for error in response.json()["errors"]]


# --- who may call -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Service-Token": "not-the-token"}, bearer("customer"), bearer("admin")],
    ids=["none", "wrong", "customer", "admin"],
)
async def test_every_internal_route_needs_the_service_token(
    client: httpx.AsyncClient, products_app: FastAPI, headers: dict[str, str]
) -> None:
    product = await make_product(client, stock=5)
    order_id = str(uuid.uuid4())
    body = {"order_id": order_id, "lines": [{"product_id": product["id"], "quantity": 1}]}
    assert (await reserve(client, [(product["id"], 1)], order_id)).status_code == 201

    for method, url, json in [
        ("POST", "/internal/reservations", {**body, "order_id": str(uuid.uuid4())}),
        ("GET", path(order_id), None),
        ("POST", path(order_id, "confirm"), None),
        ("POST", path(order_id, "release"), None),
    ]:
        response = await client.request(method, url, json=json, headers=headers)
        problem(response, 401, "unauthorized")

    assert await levels(products_app, product["id"]) == (4, 1, 0)
    assert (await client.get(path(order_id), headers=SERVICE)).json()["status"] == "held"


# --- reserve ----------------------------------------------------------------------------------


async def test_reserve_holds_the_units_and_quotes_the_catalog(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    lamp = await make_product(client, price="24.50", stock=5, currency="EUR")
    mug = await make_product(client, price="7.00", stock=3)
    order_id = str(uuid.uuid4())

    response = await reserve(client, [(lamp["id"], 2), (mug["id"], 3)], order_id)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["order_id"] == order_id
    assert body["status"] == "held"
    lines = {line["product_id"]: line for line in body["lines"]}
    assert lines[lamp["id"]] == {
        "product_id": lamp["id"],
        "name": lamp["name"],
        "sku": lamp["sku"],
        "quantity": 2,
        "unit_price": "24.50",
        "currency": "EUR",
    }
    assert lines[mug["id"]]["unit_price"] == "7.00"
    assert lines[mug["id"]]["currency"] == "USD"
    assert await levels(products_app, lamp["id"]) == (3, 2, 0)
    assert await levels(products_app, mug["id"]) == (0, 3, 0)
    assert (await client.get(path(order_id), headers=SERVICE)).json() == body


async def test_reserve_expires_after_the_ttl_asked_for(client: httpx.AsyncClient) -> None:
    product = await make_product(client, stock=2)
    before = datetime.now(UTC)
    response = await reserve(client, [(product["id"], 1)], ttl_seconds=60)
    after = datetime.now(UTC)
    assert response.status_code == 201
    expires_at = datetime.fromisoformat(response.json()["expires_at"])
    assert before + timedelta(seconds=60) <= expires_at <= after + timedelta(seconds=60)


async def test_all_or_nothing_when_one_line_is_short(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    # Lines are held in product-id order: the short one comes last, so the line held before
    # it has to be put back (and must not be reported short because of our own hold).
    plenty, short = sorted(
        [await make_product(client, stock=5), await make_product(client, stock=5)],
        key=lambda p: p["id"],
    )
    await client.put(f"/api/products/{short['id']}", json={"stock": 1}, headers=ADMIN)
    order_id = str(uuid.uuid4())

    response = await reserve(client, [(short["id"], 2), (plenty["id"], 3)], order_id)

    body = problem(response, 409, "insufficient_stock")
    assert body["short"] == [{"product_id": short["id"], "requested": 2, "available": 1}]
    assert await levels(products_app, plenty["id"]) == (5, 0, 0)
    assert await levels(products_app, short["id"]) == (1, 0, 0)
    assert await shown_stock(client, plenty["id"]) == 5
    problem(await client.get(path(order_id), headers=SERVICE), 404, "reservation_not_found")
    # Nothing of the refused order stays behind: the same order id can reserve afterwards.
    assert (await reserve(client, [(plenty["id"], 3)], order_id)).status_code == 201


async def test_every_short_line_is_listed_in_request_order(client: httpx.AsyncClient) -> None:
    a = await make_product(client, stock=1)
    b = await make_product(client, stock=9)
    c = await make_product(client, stock=0)
    response = await reserve(client, [(c["id"], 1), (b["id"], 2), (a["id"], 4)])
    assert problem(response, 409, "insufficient_stock")["short"] == [
        {"product_id": c["id"], "requested": 1, "available": 0},
        {"product_id": a["id"], "requested": 4, "available": 1},
    ]


async def test_lines_for_the_same_product_are_merged(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=5)
    order_id = str(uuid.uuid4())

    response = await reserve(client, [(product["id"], 2), (product["id"].upper(), 1)], order_id)

    assert response.status_code == 201, response.text
    assert [(line["product_id"], line["quantity"]) for line in response.json()["lines"]] == [
        (product["id"], 3)
    ]
    assert await levels(products_app, product["id"]) == (2, 3, 0)
    # Merged quantities are checked together: 2 + 2 out of 2 left is short.
    refused = await reserve(client, [(product["id"], 2), (product["id"], 2)])
    assert problem(refused, 409, "insufficient_stock")["short"] == [
        {"product_id": product["id"], "requested": 4, "available": 2}
    ]
    # The same order sent again with its lines split differently is the same reservation.
    retry = await reserve(client, [(product["id"], 1), (product["id"], 2)], order_id)
    assert retry.status_code == 200
    assert await levels(products_app, product["id"]) == (2, 3, 0)


@pytest.mark.parametrize("state", ["unknown", "deleted", "inactive"])
async def test_a_product_not_for_sale_is_a_422_on_its_line(
    client: httpx.AsyncClient, products_app: FastAPI, state: str
) -> None:
    good = await make_product(client, stock=5)
    bad = await make_product(client, stock=5)
    if state == "unknown":
        bad_id = str(uuid.uuid4())
    elif state == "deleted":
        bad_id = bad["id"]
        assert (await client.delete(f"/api/products/{bad_id}", headers=ADMIN)).status_code == 204
    else:
        bad_id = bad["id"]
        withdrawn = await client.put(
            f"/api/products/{bad_id}", json={"is_active": False}, headers=ADMIN
        )
        assert withdrawn.status_code == 200
    order_id = str(uuid.uuid4())

    response = await reserve(client, [(good["id"], 2), (bad_id, 1)], order_id)

    problem(response, 422, "unknown_product")
    assert error_fields(response) == ["lines.1.product_id"]
    assert await levels(products_app, good["id"]) == (5, 0, 0)
    assert await levels(products_app, bad["id"]) == (5, 0, 0)
    problem(await client.get(path(order_id), headers=SERVICE), 404, "reservation_not_found")


async def test_an_unavailable_product_wins_over_a_short_one(client: httpx.AsyncClient) -> None:
    short = await make_product(client, stock=0)
    response = await reserve(client, [(short["id"], 1), (str(uuid.uuid4()), 1)])
    assert error_fields(response) == ["lines.1.product_id"]


async def test_a_retry_answers_the_same_reservation_and_moves_nothing(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=4)
    order_id = str(uuid.uuid4())
    first = await reserve(client, [(product["id"], 3)], order_id)
    assert first.status_code == 201

    for _ in range(3):
        again = await reserve(client, [(product["id"], 3)], order_id.upper())
        assert again.status_code == 200, again.text
        assert again.json() == first.json()

    assert await levels(products_app, product["id"]) == (1, 3, 0)
    assert await shown_stock(client, product["id"]) == 1


async def test_a_retry_is_answered_even_when_the_stock_has_gone(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=2)
    order_id = str(uuid.uuid4())
    assert (await reserve(client, [(product["id"], 2)], order_id)).status_code == 201
    again = await reserve(client, [(product["id"], 2)], order_id)
    assert again.status_code == 200
    assert await levels(products_app, product["id"]) == (0, 2, 0)


async def test_the_same_order_with_other_lines_is_a_conflict(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=10)
    other = await make_product(client, stock=10)
    order_id = str(uuid.uuid4())
    assert (await reserve(client, [(product["id"], 2)], order_id)).status_code == 201

    for lines in (
        [(product["id"], 3)],
        [(product["id"], 2), (other["id"], 1)],
        [(other["id"], 2)],
    ):
        problem(await reserve(client, lines, order_id), 409, "reservation_mismatch")

    assert await levels(products_app, product["id"]) == (8, 2, 0)
    assert await levels(products_app, other["id"]) == (10, 0, 0)


# --- confirm ----------------------------------------------------------------------------------


async def test_confirm_sells_the_held_units_once(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=5)
    order_id = str(uuid.uuid4())
    await reserve(client, [(product["id"], 2)], order_id)

    first = await client.post(path(order_id, "confirm"), headers=SERVICE)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "confirmed"
    assert await levels(products_app, product["id"]) == (3, 0, 2)

    second = await client.post(path(order_id, "confirm"), headers=SERVICE)
    assert second.status_code == 200
    assert second.json() == first.json()
    assert await levels(products_app, product["id"]) == (3, 0, 2)
    assert await shown_stock(client, product["id"]) == 3


async def test_a_released_reservation_cannot_be_confirmed(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=5)
    order_id = str(uuid.uuid4())
    await reserve(client, [(product["id"], 2)], order_id)
    assert (await client.post(path(order_id, "release"), headers=SERVICE)).status_code == 200

    problem(
        await client.post(path(order_id, "confirm"), headers=SERVICE),
        409,
        "reservation_released",
    )
    assert await levels(products_app, product["id"]) == (5, 0, 0)
    assert (await client.get(path(order_id), headers=SERVICE)).json()["status"] == "released"


# --- release ----------------------------------------------------------------------------------


async def test_release_of_a_held_reservation_puts_the_units_back_once(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    lamp = await make_product(client, stock=5)
    mug = await make_product(client, stock=2)
    order_id = str(uuid.uuid4())
    await reserve(client, [(lamp["id"], 3), (mug["id"], 2)], order_id)
    assert await shown_stock(client, lamp["id"]) == 2

    for _ in range(2):
        response = await client.post(path(order_id, "release"), headers=SERVICE)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "released"
        assert await levels(products_app, lamp["id"]) == (5, 0, 0)
        assert await levels(products_app, mug["id"]) == (2, 0, 0)
        assert await shown_stock(client, lamp["id"]) == 5
        assert await shown_stock(client, mug["id"]) == 2

    # The released order stays released: a late retry of its reservation moves nothing.
    late = await reserve(client, [(lamp["id"], 3), (mug["id"], 2)], order_id)
    assert late.status_code == 200
    assert late.json()["status"] == "released"
    assert await levels(products_app, lamp["id"]) == (5, 0, 0)


async def test_release_of_a_confirmed_reservation_restocks_the_sold_units(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=5)
    order_id = str(uuid.uuid4())
    await reserve(client, [(product["id"], 4)], order_id)
    await client.post(path(order_id, "confirm"), headers=SERVICE)
    assert await levels(products_app, product["id"]) == (1, 0, 4)

    for _ in range(2):
        response = await client.post(path(order_id, "release"), headers=SERVICE)
        assert response.status_code == 200
        assert response.json()["status"] == "released"
        assert await levels(products_app, product["id"]) == (5, 0, 0)
        assert await shown_stock(client, product["id"]) == 5


async def test_release_of_a_deleted_products_reservation_still_restores_it(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=3)
    order_id = str(uuid.uuid4())
    await reserve(client, [(product["id"], 2)], order_id)
    await client.delete(f"/api/products/{product['id']}", headers=ADMIN)

    assert (await client.post(path(order_id, "release"), headers=SERVICE)).status_code == 200
    assert await levels(products_app, product["id"]) == (3, 0, 0)


async def test_an_admin_stock_change_keeps_the_reserved_units(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=5)
    order_id = str(uuid.uuid4())
    await reserve(client, [(product["id"], 2)], order_id)
    await client.put(f"/api/products/{product['id']}", json={"stock": 0}, headers=ADMIN)

    assert (await client.post(path(order_id, "release"), headers=SERVICE)).status_code == 200
    assert await levels(products_app, product["id"]) == (2, 0, 0)


@pytest.mark.parametrize("action", ["", "confirm", "release"])
async def test_an_unknown_order_is_404(client: httpx.AsyncClient, action: str) -> None:
    method = "GET" if not action else "POST"
    response = await client.request(method, path(str(uuid.uuid4()), action), headers=SERVICE)
    problem(response, 404, "reservation_not_found")


@pytest.mark.parametrize("action", ["", "confirm", "release"])
async def test_a_malformed_order_id_in_the_path_is_422(
    client: httpx.AsyncClient, action: str
) -> None:
    method = "GET" if not action else "POST"
    response = await client.request(method, path("not-a-uuid", action), headers=SERVICE)
    assert response.status_code == 422


# --- bad bodies -------------------------------------------------------------------------------

BAD_BODIES: dict[str, tuple[dict[str, Any], str]] = {
    "quantity 0": ({"lines": [{"quantity": 0}]}, "lines.0.quantity"),
    "quantity 101": ({"lines": [{"quantity": 101}]}, "lines.0.quantity"),
    "quantity negative": ({"lines": [{"quantity": -1}]}, "lines.0.quantity"),
    "quantity fraction": ({"lines": [{"quantity": 1.5}]}, "lines.0.quantity"),
    "quantity string": ({"lines": [{"quantity": "many"}]}, "lines.0.quantity"),
    "quantity boolean": ({"lines": [{"quantity": True}]}, "lines.0.quantity"),
    "no lines": ({"lines": []}, "lines"),
    "51 lines": ({"lines": [{}] * 51}, "lines"),
    "order id not a uuid": ({"order_id": "order-1"}, "order_id"),
    "order id boolean": ({"order_id": True}, "order_id"),
    "order id missing": ({"order_id": None}, "order_id"),
    "product id not a uuid": ({"lines": [{"product_id": "x" * 36}]}, "lines.0.product_id"),
    "product id number": ({"lines": [{"product_id": 12}]}, "lines.0.product_id"),
    "ttl zero": ({"ttl_seconds": 0}, "ttl_seconds"),
    "ttl over a week": ({"ttl_seconds": 7 * 86400 + 1}, "ttl_seconds"),
    "ttl boolean": ({"ttl_seconds": True}, "ttl_seconds"),
    "unknown field": ({"status": "confirmed"}, "status"),
    "unknown line field": ({"lines": [{"unit_price": "0.01"}]}, "lines.0.unit_price"),
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
async def test_a_bad_body_is_422_and_moves_nothing(
    client: httpx.AsyncClient, products_app: FastAPI, case: str
) -> None:
    product = await make_product(client, stock=5)
    changes, field = BAD_BODIES[case]
    line = {"product_id": product["id"], "quantity": 1}
    order_id = str(uuid.uuid4())
    body: dict[str, Any] = {"order_id": order_id, "lines": [line]}
    for key, value in changes.items():
        if key == "lines":
            body["lines"] = [{**line, **override} for override in value]
        elif value is None:
            del body[key]
        else:
            body[key] = value

    response = await client.post("/internal/reservations", json=body, headers=SERVICE)

    assert field in error_fields(response), response.text
    assert await levels(products_app, product["id"]) == (5, 0, 0)
    problem(await client.get(path(order_id), headers=SERVICE), 404, "reservation_not_found")


async def test_fifty_lines_are_accepted(client: httpx.AsyncClient, products_app: FastAPI) -> None:
    product = await make_product(client, stock=100)
    response = await reserve(client, [(product["id"], 2)] * 50)
    assert response.status_code == 201, response.text
    assert await levels(products_app, product["id"]) == (0, 100, 0)


@pytest.mark.parametrize(
    "order_id",
    [
        pytest.param("0123456789abcdef0123456789abcdef0123", id="no-dashes"),
        pytest.param("------------------------------------", id="only-dashes"),
        pytest.param("01234567-89ab-cdef-0123-456789abcdeg", id="not-hex"),
    ],
)
async def test_an_order_id_that_is_not_a_uuid_is_422(
    client: httpx.AsyncClient, products_app: FastAPI, order_id: str
) -> None:
    """Every other route addresses a reservation by a UUID; one made under anything else
    could never be confirmed or released."""
    product = await make_product(client, stock=5)
    response = await reserve(client, [(product["id"], 1)], order_id)
    assert error_fields(response) == ["order_id"]
    assert await levels(products_app, product["id"]) == (5, 0, 0)


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/internal/reservations",
        content=b'{"order_id": ',
        headers={**SERVICE, "content-type": "application/json"},
    )
    problem(response, 400, "malformed_json")


# --- what shoppers read -----------------------------------------------------------------------


async def test_the_product_page_follows_every_move_at_once(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=6, price=Decimal("3.00"))
    page = f"/api/products/{product['id']}"
    # Warm the cache first: the next reads must not be served from it while stale.
    assert (await client.get(page)).json()["stock"] == 6
    assert (await client.get(page)).headers["x-cache"] == "HIT"

    held = str(uuid.uuid4())
    await reserve(client, [(product["id"], 4)], held)
    assert await shown_stock(client, product["id"]) == 2
    await reserve(client, [(product["id"], 4)], held)
    assert await shown_stock(client, product["id"]) == 2
    problem(await reserve(client, [(product["id"], 3)]), 409, "insufficient_stock")
    assert await shown_stock(client, product["id"]) == 2
    await client.post(path(held, "release"), headers=SERVICE)
    assert await shown_stock(client, product["id"]) == 6

    sold = str(uuid.uuid4())
    await reserve(client, [(product["id"], 5)], sold)
    assert await shown_stock(client, product["id"]) == 1
    await client.post(path(sold, "confirm"), headers=SERVICE)
    assert await shown_stock(client, product["id"]) == 1
    await client.post(path(sold, "release"), headers=SERVICE)
    assert await shown_stock(client, product["id"]) == 6

    listed = await client.get("/api/products", params={"q": product["sku"], "in_stock": True})
    assert [(p["id"], p["stock"]) for p in listed.json()["items"]] == [(product["id"], 6)]
