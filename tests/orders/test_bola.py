"""Whose orders a caller sees: their own (404 for anyone else's, never 403); an admin sees
everyone's. Lists filter by status (and, for admins, user) and are paginated."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import httpx

from .support import ADMIN, Shopper, cancel, get_order, make_product, placed, purchase, stock_of


async def _page(
    orders: httpx.AsyncClient, headers: dict[str, str], query: str = ""
) -> dict[str, Any]:
    response = await orders.get(f"/api/orders{query}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_another_customers_order_is_not_found(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product, owner, order = await purchase(orders, products, stock=5, quantity=2)
    stranger = Shopper()

    seen = await get_order(orders, order["id"], stranger.headers)
    unknown = await get_order(orders, str(uuid.uuid4()), stranger.headers)
    assert seen.status_code == 404, seen.text
    assert seen.json()["code"] == "order_not_found"
    # Another's order and an order that does not exist answer alike.
    assert {k: v for k, v in seen.json().items() if k != "request_id"} == {
        k: v for k, v in unknown.json().items() if k != "request_id"
    }

    cancelled = await cancel(orders, order["id"], stranger.headers)
    assert cancelled.status_code == 404, cancelled.text
    assert (await get_order(orders, order["id"], owner.headers)).json()["status"] == "pending"
    assert await stock_of(products, product["id"]) == 3

    assert (await _page(orders, stranger.headers))["items"] == []
    assert (await _page(orders, stranger.headers, f"?user_id={owner.id}"))["items"] == []


async def test_a_customer_lists_only_their_own_orders(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=10)
    alice, bob = Shopper(), Shopper()
    alices = [await placed(orders, alice, [(product["id"], 1)]) for _ in range(2)]
    await placed(orders, bob, [(product["id"], 1)])

    page = await _page(orders, alice.headers)

    assert {order["id"] for order in page["items"]} == {order["id"] for order in alices}
    assert page["total"] == 2
    # Newest first.
    assert [order["id"] for order in page["items"]] == [alices[1]["id"], alices[0]["id"]]


async def test_an_admin_sees_everyones_orders_and_filters_by_user(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=10)
    alice, bob = Shopper(), Shopper()
    alices = await placed(orders, alice, [(product["id"], 1)])
    bobs = await placed(orders, bob, [(product["id"], 1)])

    assert (await get_order(orders, alices["id"], ADMIN)).json()["id"] == alices["id"]
    everyone = await _page(orders, ADMIN, "?limit=100")
    ids = {order["id"] for order in everyone["items"]}
    assert {alices["id"], bobs["id"]} <= ids
    assert everyone["total"] >= 2

    only_bob = await _page(orders, ADMIN, f"?user_id={bob.id}")
    assert [order["id"] for order in only_bob["items"]] == [bobs["id"]]
    assert only_bob["total"] == 1

    nobody = await _page(orders, ADMIN, f"?user_id={uuid.uuid4()}")
    assert nobody == {"items": [], "total": 0, "page": 1, "limit": 20, "pages": 0}


async def test_the_status_filter(orders: httpx.AsyncClient, products: httpx.AsyncClient) -> None:
    product = await make_product(products, stock=10)
    shopper = Shopper()
    kept = await placed(orders, shopper, [(product["id"], 1)])
    dropped = await placed(orders, shopper, [(product["id"], 1)])
    assert (await cancel(orders, dropped["id"], shopper.headers)).status_code == 200

    pending = await _page(orders, shopper.headers, "?status=pending")
    cancelled = await _page(orders, shopper.headers, "?status=cancelled")
    paid = await _page(orders, shopper.headers, "?status=paid")

    assert [order["id"] for order in pending["items"]] == [kept["id"]]
    assert [order["id"] for order in cancelled["items"]] == [dropped["id"]]
    assert paid["items"] == []
    assert paid["total"] == 0
    admin_view = await _page(orders, ADMIN, f"?status=cancelled&user_id={shopper.id}")
    assert [order["id"] for order in admin_view["items"]] == [dropped["id"]]

    bad = await orders.get("/api/orders?status=lost", headers=shopper.headers)
    assert bad.status_code == 422
    assert [error["field"] for error in bad.json()["errors"]] == ["status"]


async def test_pagination(orders: httpx.AsyncClient, products: httpx.AsyncClient) -> None:
    product = await make_product(products, stock=10)
    shopper = Shopper()
    made = [await placed(orders, shopper, [(product["id"], 1)]) for _ in range(5)]
    newest_first = [order["id"] for order in reversed(made)]

    pages = [await _page(orders, shopper.headers, f"?page={n}&limit=2") for n in (1, 2, 3, 4)]

    for number, page in enumerate(pages, start=1):
        assert page["total"] == 5
        assert page["page"] == number
        assert page["limit"] == 2
        assert page["pages"] == math.ceil(5 / 2)
    assert [[order["id"] for order in page["items"]] for page in pages] == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:5],
        [],
    ]
    default = await _page(orders, shopper.headers)
    assert (default["page"], default["limit"], default["pages"]) == (1, 20, 1)
    for query in ("?limit=0", "?limit=101", "?page=0", "?page=x", "?user_id=nope"):
        response = await orders.get(f"/api/orders{query}", headers=shopper.headers)
        assert response.status_code == 422, (query, response.text)


async def test_orders_created_from_an_instant_on(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=10)
    shopper = Shopper()
    first, second, third = [await placed(orders, shopper, [(product["id"], 1)]) for _ in range(3)]
    since = datetime.fromisoformat(second["created_at"])

    async def listed(instant: str, headers: dict[str, str] = shopper.headers) -> list[str]:
        query = f"?created_from={quote(instant)}&user_id={shopper.id}"
        return [order["id"] for order in (await _page(orders, headers, query))["items"]]

    # Inclusive, newest first, for the owner and for an admin alike.
    assert await listed(second["created_at"]) == [third["id"], second["id"]]
    assert await listed(second["created_at"], ADMIN) == [third["id"], second["id"]]
    # The same instant written in another offset.
    elsewhere = since.astimezone(timezone(timedelta(hours=2))).isoformat()
    assert await listed(elsewhere) == [third["id"], second["id"]]
    assert await listed((since + timedelta(microseconds=1)).isoformat()) == [third["id"]]
    assert await listed("0001-01-01T00:00:00Z") == [third["id"], second["id"], first["id"]]
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    page = await _page(orders, shopper.headers, f"?created_from={quote(future)}")
    assert (page["items"], page["total"]) == ([], 0)
    # Combined with the status filter.
    assert (await cancel(orders, third["id"], shopper.headers)).status_code == 200
    query = f"?status=pending&created_from={quote(second['created_at'])}"
    assert [order["id"] for order in (await _page(orders, shopper.headers, query))["items"]] == [
        second["id"]
    ]


async def test_a_bad_created_from_is_422(orders: httpx.AsyncClient) -> None:
    for instant in (
        "yesterday",
        "2026-13-01T00:00:00Z",
        "2026-01-01",
        "2026-01-01T00:00:00",  # no offset: which day's midnight?
        "1700000000",  # a Unix time is not RFC 3339
        "0001-01-01T00:00:00+01:00",  # before the first instant a timestamp can hold
        "9999-12-31T23:59:59-01:00",  # after the last
        "",
    ):
        response = await orders.get(
            "/api/orders", params={"created_from": instant}, headers=Shopper().headers
        )
        assert response.status_code == 422, (instant, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert [error["field"] for error in response.json()["errors"]] == ["created_from"]


async def test_reading_orders_needs_a_token(orders: httpx.AsyncClient) -> None:
    assert (await orders.get("/api/orders")).status_code == 401
    assert (await orders.get(f"/api/orders/{uuid.uuid4()}")).status_code == 401
    assert (await orders.post(f"/api/orders/{uuid.uuid4()}/cancel")).status_code == 401


async def test_a_malformed_order_id_is_refused(orders: httpx.AsyncClient) -> None:
    response = await orders.get("/api/orders/not-an-id", headers=Shopper().headers)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["order_id"]


async def test_the_internal_payment_route_is_for_services_only(
    orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    _, shopper, order = await purchase(orders, products, stock=5, quantity=1)
    attempt = {"user_id": shopper.id, "payment_method": "pm_card_visa", "key": "k"}
    path = f"/internal/orders/{order['id']}/payments"

    for headers in ({}, shopper.headers, ADMIN, {"X-Service-Token": "guess"}):
        response = await orders.post(path, json=attempt, headers=headers)
        assert response.status_code == 401, response.text
    assert (await get_order(orders, order["id"])).json()["status"] == "pending"
