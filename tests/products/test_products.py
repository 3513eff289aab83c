"""Products through HTTP, as an admin manages them and a shopper reads them (API.md, products)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest

from .support import ADMIN, bearer, make_category, make_product, unique

CUSTOMER = bearer("customer")
PROBLEM = "application/problem+json"
# RFC 3339 in UTC, as API.md promises: "2026-11-25T10:00:00Z", fractions allowed.
UTC_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def invalid_fields(response: httpx.Response) -> set[str]:
    return {error["field"] for error in problem(response, 422)["errors"]}


def new_product_body(**fields: Any) -> dict[str, Any]:
    return {"name": unique("Lamp"), "price": "19.99", "sku": unique("sku"), "stock": 5, **fields}


async def visible_in_category(client: httpx.AsyncClient, category: dict[str, Any]) -> list[str]:
    response = await client.get("/api/products", params={"category": category["slug"]})
    assert response.status_code == 200
    return [item["id"] for item in response.json()["items"]]


async def product_count(client: httpx.AsyncClient, category: dict[str, Any]) -> int:
    response = await client.get("/api/categories")
    assert response.status_code == 200
    (found,) = [item for item in response.json()["items"] if item["id"] == category["id"]]
    count: int = found["product_count"]
    return count


# --- creating ---------------------------------------------------------------------------------


async def test_an_admin_creates_a_product_that_anyone_can_then_read(
    client: httpx.AsyncClient,
) -> None:
    category = await make_category(client)
    sku = unique("lamp").lower()
    response = await client.post(
        "/api/products",
        json={
            "name": "  Desk Lamp  ",
            "description": "Warm light.",
            "price": "19.99",
            "sku": sku,
            "stock": 7,
            "image_url": "https://images.example/lamp.png",
            "category_id": category["id"],
        },
        headers=ADMIN,
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert uuid.UUID(created["id"])
    assert created == {
        "id": created["id"],
        "name": "Desk Lamp",
        "description": "Warm light.",
        "price": "19.99",
        "currency": "USD",
        "sku": sku.upper(),
        "stock": 7,
        "image_url": "https://images.example/lamp.png",
        "category": {"id": category["id"], "name": category["name"], "slug": category["slug"]},
        "is_active": True,
        "created_at": created["created_at"],
        "updated_at": created["updated_at"],
    }
    assert UTC_TIMESTAMP.match(created["created_at"])
    assert UTC_TIMESTAMP.match(created["updated_at"])
    read = await client.get(f"/api/products/{created['id']}")
    assert read.status_code == 200
    assert read.json() == created


@pytest.mark.parametrize(
    ("sent", "shown"),
    [("19.9", "19.90"), (5, "5.00"), (12.5, "12.50"), ("0.01", "0.01"), (7.25, "7.25")],
)
async def test_a_price_sent_as_number_or_string_is_answered_as_a_two_place_string(
    client: httpx.AsyncClient, sent: object, shown: str
) -> None:
    created = await make_product(client, price=sent)  # type: ignore[arg-type]
    assert created["price"] == shown
    assert (await client.get(f"/api/products/{created['id']}")).json()["price"] == shown


async def test_the_largest_price_stock_and_sku_are_accepted(client: httpx.AsyncClient) -> None:
    created = await make_product(
        client, price="9999999999.99", stock=1_000_000_000, sku="\u00df" * 31 + "-a"
    )
    assert created["price"] == "9999999999.99"
    assert created["stock"] == 1_000_000_000
    assert created["sku"] == "S" * 62 + "-A"


async def test_optional_fields_take_their_defaults(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/products", json=new_product_body(), headers=ADMIN)
    created = response.json()
    assert response.status_code == 201
    assert created["currency"] == "USD"
    assert created["description"] == ""
    assert created["image_url"] is None
    assert created["category"] is None
    assert created["is_active"] is True


async def test_another_currency_is_kept(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/products", json=new_product_body(currency="EUR"), headers=ADMIN
    )
    assert response.status_code == 201
    assert response.json()["currency"] == "EUR"


async def test_a_sku_is_unique_whatever_its_case(client: httpx.AsyncClient) -> None:
    sku = unique("dup").lower()
    first = await make_product(client, sku=sku)
    assert first["sku"] == sku.upper()

    response = await client.post(
        "/api/products", json=new_product_body(sku=f" {sku.upper()} "), headers=ADMIN
    )
    assert problem(response, 409)["code"] == "duplicate_sku"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price": "0"}, "price"),
        ({"price": 0}, "price"),
        ({"price": "-1.00"}, "price"),
        ({"price": "19.999"}, "price"),
        ({"price": 19.999}, "price"),
        ({"price": "0.001"}, "price"),
        ({"price": True}, "price"),
        ({"price": "NaN"}, "price"),
        ({"price": "Infinity"}, "price"),
        ({"price": "12,50"}, "price"),
        ({"price": "10000000000.00"}, "price"),
        ({"stock": -1}, "stock"),
        ({"stock": True}, "stock"),
        ({"stock": False}, "stock"),
        ({"stock": 1.5}, "stock"),
        ({"stock": None}, "stock"),
        ({"stock": 1_000_000_001}, "stock"),
        ({"name": "n" * 201}, "name"),
        ({"name": "nul\u0000byte"}, "name"),
        ({"description": "d" * 5001}, "description"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"currency": "usd"}, "currency"),
        ({"currency": "EURO"}, "currency"),
        ({"sku": "two words"}, "sku"),
        ({"sku": ""}, "sku"),
        ({"sku": "s" * 65}, "sku"),
        # 33 characters, but 66 once upper-cased ("SS"): too long for the column.
        ({"sku": "\u00df" * 33}, "sku"),
        ({"image_url": "javascript:alert(1)"}, "image_url"),
        ({"category_id": "not-a-uuid"}, "category_id"),
        ({"colour": "red"}, "colour"),
        ({"is_active": False}, "is_active"),
        ({"reserved": 3}, "reserved"),
    ],
)
async def test_an_invalid_product_is_refused_and_nothing_is_created(
    client: httpx.AsyncClient, fields: dict[str, Any], field: str
) -> None:
    body = new_product_body(**fields)
    response = await client.post("/api/products", json=body, headers=ADMIN)
    assert field in invalid_fields(response)
    # Nothing was kept: the SKU is still free.
    if field != "sku":
        await make_product(client, sku=body["sku"])


@pytest.mark.parametrize("missing", ["name", "price", "sku", "stock"])
async def test_a_required_field_may_not_be_left_out(
    client: httpx.AsyncClient, missing: str
) -> None:
    body = new_product_body()
    del body[missing]
    response = await client.post("/api/products", json=body, headers=ADMIN)
    assert missing in invalid_fields(response)


async def test_an_unknown_category_is_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/products", json=new_product_body(category_id=str(uuid.uuid4())), headers=ADMIN
    )
    body = problem(response, 422)
    assert body["code"] == "unknown_category"
    assert body["errors"] == [{"field": "category_id", "message": "no such category"}]


async def test_a_body_that_is_not_json_is_a_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/products",
        content=b'{"name": ',
        headers={**ADMIN, "content-type": "application/json"},
    )
    problem(response, 400)


# --- who may write ----------------------------------------------------------------------------


async def test_only_an_admin_may_create_change_or_delete_a_product(
    client: httpx.AsyncClient,
) -> None:
    product = await make_product(client)
    path = f"/api/products/{product['id']}"
    writes = [
        ("POST", "/api/products", new_product_body()),
        ("PUT", path, {"price": "1.00"}),
        ("DELETE", path, None),
    ]
    for method, url, body in writes:
        anonymous = await client.request(method, url, json=body)
        assert problem(anonymous, 401)["code"] == "unauthorized"
        assert anonymous.headers["www-authenticate"] == "Bearer"
        bad_token = await client.request(
            method, url, json=body, headers={"Authorization": "Bearer not-a-token"}
        )
        problem(bad_token, 401)
        customer = await client.request(method, url, json=body, headers=CUSTOMER)
        assert problem(customer, 403)["code"] == "forbidden"

    unchanged = await client.get(path)
    assert unchanged.status_code == 200
    assert unchanged.json() == product


# --- updating ---------------------------------------------------------------------------------


async def test_an_update_changes_only_the_fields_sent(client: httpx.AsyncClient) -> None:
    category = await make_category(client)
    product = await make_product(
        client,
        description="Before.",
        image_url="https://images.example/a.png",
        category_id=category["id"],
    )

    response = await client.put(
        f"/api/products/{product['id']}", json={"price": 25, "stock": 0}, headers=ADMIN
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated == {
        **product,
        "price": "25.00",
        "stock": 0,
        "updated_at": updated["updated_at"],
    }
    assert UTC_TIMESTAMP.match(updated["updated_at"])
    assert _instant(updated["updated_at"]) >= _instant(product["updated_at"])
    assert (await client.get(f"/api/products/{product['id']}")).json() == updated


async def test_every_field_can_be_changed(client: httpx.AsyncClient) -> None:
    category = await make_category(client)
    product = await make_product(client)
    sku = unique("new").lower()
    changes = {
        "name": "Renamed",
        "description": "New words.",
        "price": "3.50",
        "currency": "GBP",
        "sku": sku,
        "stock": 42,
        "image_url": "/api/products/images/x.svg",
        "category_id": category["id"],
    }

    response = await client.put(f"/api/products/{product['id']}", json=changes, headers=ADMIN)

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "Renamed"
    assert updated["description"] == "New words."
    assert updated["price"] == "3.50"
    assert updated["currency"] == "GBP"
    assert updated["sku"] == sku.upper()
    assert updated["stock"] == 42
    assert updated["image_url"] == "/api/products/images/x.svg"
    assert updated["category"] == {
        "id": category["id"],
        "name": category["name"],
        "slug": category["slug"],
    }


async def test_null_clears_the_image_and_the_category(client: httpx.AsyncClient) -> None:
    category = await make_category(client)
    product = await make_product(
        client, image_url="https://images.example/b.png", category_id=category["id"]
    )

    response = await client.put(
        f"/api/products/{product['id']}",
        json={"image_url": None, "category_id": None},
        headers=ADMIN,
    )

    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["image_url"] is None
    assert updated["category"] is None
    assert updated["name"] == product["name"]
    assert await product_count(client, category) == 0


@pytest.mark.parametrize(
    "field", ["name", "description", "price", "currency", "sku", "stock", "is_active"]
)
async def test_null_is_refused_for_a_field_that_cannot_be_empty(
    client: httpx.AsyncClient, field: str
) -> None:
    product = await make_product(client)
    response = await client.put(f"/api/products/{product['id']}", json={field: None}, headers=ADMIN)
    assert field in invalid_fields(response)
    assert (await client.get(f"/api/products/{product['id']}")).json() == product


@pytest.mark.parametrize(
    "fields",
    [
        {"price": "0"},
        {"price": "1.005"},
        {"stock": -3},
        {"stock": True},
        {"price": False},
        {"name": ""},
        {"reserved": 1},
        {"id": str(uuid.uuid4())},
    ],
)
async def test_an_invalid_update_changes_nothing(
    client: httpx.AsyncClient, fields: dict[str, Any]
) -> None:
    product = await make_product(client)
    response = await client.put(f"/api/products/{product['id']}", json=fields, headers=ADMIN)
    assert set(fields) <= invalid_fields(response)
    assert (await client.get(f"/api/products/{product['id']}")).json() == product


async def test_an_update_to_an_unknown_category_is_a_validation_error(
    client: httpx.AsyncClient,
) -> None:
    product = await make_product(client)
    response = await client.put(
        f"/api/products/{product['id']}", json={"category_id": str(uuid.uuid4())}, headers=ADMIN
    )
    assert problem(response, 422)["code"] == "unknown_category"


async def test_a_sku_cannot_be_changed_to_one_in_use(client: httpx.AsyncClient) -> None:
    taken = await make_product(client)
    product = await make_product(client)

    response = await client.put(
        f"/api/products/{product['id']}", json={"sku": taken["sku"].lower()}, headers=ADMIN
    )

    assert problem(response, 409)["code"] == "duplicate_sku"
    assert (await client.get(f"/api/products/{product['id']}")).json()["sku"] == product["sku"]


async def test_a_product_may_be_sent_its_own_sku_in_another_case(
    client: httpx.AsyncClient,
) -> None:
    product = await make_product(client)
    response = await client.put(
        f"/api/products/{product['id']}", json={"sku": product["sku"].lower()}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    assert response.json()["sku"] == product["sku"]


async def test_updating_an_unknown_or_deleted_product_is_not_found(
    client: httpx.AsyncClient,
) -> None:
    unknown = await client.put(
        f"/api/products/{uuid.uuid4()}", json={"price": "2.00"}, headers=ADMIN
    )
    assert problem(unknown, 404)["code"] == "product_not_found"

    product = await make_product(client)
    assert (await client.delete(f"/api/products/{product['id']}", headers=ADMIN)).status_code == 204
    deleted = await client.put(
        f"/api/products/{product['id']}", json={"price": "2.00"}, headers=ADMIN
    )
    assert problem(deleted, 404)["code"] == "product_not_found"


# --- deleting ---------------------------------------------------------------------------------


async def test_a_deleted_product_disappears_from_every_read(client: httpx.AsyncClient) -> None:
    category = await make_category(client)
    word = _word()
    kept = await make_product(client, name=f"Kept {word}", category_id=category["id"])
    doomed = await make_product(client, name=f"Doomed {word}", category_id=category["id"])
    path = f"/api/products/{doomed['id']}"
    # Read once first, so a stale cached copy would show if the delete failed to drop it.
    assert (await client.get(path)).status_code == 200
    assert await product_count(client, category) == 2

    response = await client.delete(path, headers=ADMIN)

    assert response.status_code == 204
    assert response.content == b""
    assert problem(await client.get(path), 404)["code"] == "product_not_found"
    problem(await client.get(path, headers=ADMIN), 404)
    assert await visible_in_category(client, category) == [kept["id"]]
    search = await client.get("/api/products", params={"q": word})
    assert [item["id"] for item in search.json()["items"]] == [kept["id"]]
    admin_list = await client.get(
        "/api/products",
        params={"category": category["id"], "include_inactive": "true"},
        headers=ADMIN,
    )
    assert [item["id"] for item in admin_list.json()["items"]] == [kept["id"]]
    assert await product_count(client, category) == 1
    again = await client.delete(path, headers=ADMIN)
    assert problem(again, 404)["code"] == "product_not_found"


async def test_deleting_an_unknown_product_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.delete(f"/api/products/{uuid.uuid4()}", headers=ADMIN)
    assert problem(response, 404)["code"] == "product_not_found"


async def test_a_deleted_products_sku_can_be_used_again(client: httpx.AsyncClient) -> None:
    old = await make_product(client)
    assert (await client.delete(f"/api/products/{old['id']}", headers=ADMIN)).status_code == 204

    new = await make_product(client, sku=old["sku"].lower())
    assert new["sku"] == old["sku"]
    assert new["id"] != old["id"]
    moved = await make_product(client)
    response = await client.put(
        f"/api/products/{moved['id']}", json={"sku": old["sku"]}, headers=ADMIN
    )
    assert problem(response, 409)["code"] == "duplicate_sku"  # the new product holds it now


# --- withdrawn products (is_active = false) ---------------------------------------------------


async def test_a_withdrawn_product_is_hidden_from_shoppers_but_not_from_admins(
    client: httpx.AsyncClient,
) -> None:
    category = await make_category(client)
    word = _word()
    product = await make_product(client, name=f"Withdrawn {word}", category_id=category["id"])
    path = f"/api/products/{product['id']}"
    assert (await client.get(path)).status_code == 200  # cached as visible, then withdrawn

    response = await client.put(path, json={"is_active": False}, headers=ADMIN)

    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False
    for headers in ({}, CUSTOMER):
        problem(await client.get(path, headers=headers), 404)
    assert await visible_in_category(client, category) == []
    assert (await client.get("/api/products", params={"q": word})).json()["total"] == 0
    assert await product_count(client, category) == 0

    seen_by_admin = await client.get(path, headers=ADMIN)
    assert seen_by_admin.status_code == 200
    assert seen_by_admin.json()["is_active"] is False
    admin_list = await client.get(
        "/api/products",
        params={"category": category["slug"], "include_inactive": "true"},
        headers=ADMIN,
    )
    assert [item["id"] for item in admin_list.json()["items"]] == [product["id"]]
    plain_admin_list = await client.get(
        "/api/products", params={"category": category["slug"]}, headers=ADMIN
    )
    assert plain_admin_list.json()["items"] == []
    # The admin's view was not cached for shoppers.
    problem(await client.get(path), 404)

    restored = await client.put(path, json={"is_active": True}, headers=ADMIN)
    assert restored.status_code == 200
    assert (await client.get(path)).json()["is_active"] is True
    assert await visible_in_category(client, category) == [product["id"]]
    assert await product_count(client, category) == 1


async def test_only_admins_may_list_withdrawn_products(client: httpx.AsyncClient) -> None:
    customer = await client.get(
        "/api/products", params={"include_inactive": "true"}, headers=CUSTOMER
    )
    assert problem(customer, 403)["code"] == "forbidden"
    anonymous = await client.get("/api/products", params={"include_inactive": "true"})
    assert problem(anonymous, 401)["code"] == "unauthorized"
    not_asked = await client.get("/api/products", params={"include_inactive": "false"})
    assert not_asked.status_code == 200


# --- paths ------------------------------------------------------------------------------------


@pytest.mark.parametrize("product_id", ["not-a-uuid", "123", "0" * 36, "%20", "images"])
async def test_a_product_id_that_is_not_a_uuid_is_a_validation_error(
    client: httpx.AsyncClient, product_id: str
) -> None:
    path = f"/api/products/{product_id}"
    for method, body in (("GET", None), ("PUT", {"stock": 1}), ("DELETE", None)):
        response = await client.request(method, path, json=body, headers=ADMIN)
        assert invalid_fields(response) == {"product_id"}


async def test_a_product_id_may_be_written_in_capitals(client: httpx.AsyncClient) -> None:
    product = await make_product(client)
    response = await client.get(f"/api/products/{product['id'].upper()}")
    assert response.status_code == 200
    assert response.json()["id"] == product["id"]


def _instant(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp)


def _word() -> str:
    """A made-up word no other test uses, that no stemmer shortens (letters only, ends in q)."""
    letters = "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:10])
    return f"qx{letters}q"
