"""Categories through HTTP: an admin creates them, anyone lists them with their product counts."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from .support import ADMIN, bearer, make_category, make_product, unique

PROBLEM = "application/problem+json"


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    return body


def suffix() -> str:
    return uuid.uuid4().hex[:8]


async def listed(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/api/categories")
    assert response.status_code == 200
    assert set(response.json()) == {"items"}
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def listed_one(client: httpx.AsyncClient, category: dict[str, Any]) -> dict[str, Any]:
    (found,) = [item for item in await listed(client) if item["id"] == category["id"]]
    return found


# --- creating ---------------------------------------------------------------------------------


async def test_the_slug_is_derived_from_the_name(client: httpx.AsyncClient) -> None:
    # Unique per run: the demo catalog (seeded by the e2e tests on a shared database) has
    # its own "Home & Kitchen".
    tag = suffix()
    response = await client.post(
        "/api/categories",
        json={"name": f"Home & Kitchen {tag}", "description": "Pots and pans."},
        headers=ADMIN,
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert uuid.UUID(created["id"])
    assert created == {
        "id": created["id"],
        "name": f"Home & Kitchen {tag}",
        "slug": f"home-kitchen-{tag}",
        "description": "Pots and pans.",
        "is_active": True,
        "product_count": 0,
    }
    assert await listed_one(client, created) == created


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("  Garden / Outdoor  {}", "garden-outdoor-{}"),
        ("Café Crème {}", "cafe-creme-{}"),
        ("--Sale!!! 50% off-- {}", "sale-50-off-{}"),
        ("TOYS {}", "toys-{}"),
    ],
)
async def test_a_derived_slug_keeps_only_lower_case_letters_digits_and_single_hyphens(
    client: httpx.AsyncClient, name: str, slug: str
) -> None:
    tag = suffix()
    created = await make_category(client, name.format(tag))
    assert created["slug"] == slug.format(tag)
    assert created["name"] == name.format(tag).strip()


async def test_a_name_without_latin_letters_still_gets_a_usable_slug(
    client: httpx.AsyncClient,
) -> None:
    first = await make_category(client, "家居")
    second = await make_category(client, "家居")
    for created in (first, second):
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", created["slug"])
    assert first["slug"] != second["slug"]


async def test_a_long_name_gives_a_slug_of_at_most_100_characters(
    client: httpx.AsyncClient,
) -> None:
    name = f"{suffix()} " + "word " * 19
    created = await make_category(client, name[:100])
    assert len(created["slug"]) <= 100
    assert not created["slug"].endswith("-")


async def test_an_explicit_slug_is_kept_in_lower_case(client: httpx.AsyncClient) -> None:
    slug = f"My-Slug-{suffix()}"
    created = await make_category(client, "Whatever", slug=slug)
    assert created["slug"] == slug.lower()
    assert created["name"] == "Whatever"


async def test_a_slug_is_unique(client: httpx.AsyncClient) -> None:
    slug = f"unique-{suffix()}"
    await make_category(client, slug=slug)

    explicit = await client.post(
        "/api/categories", json={"name": unique("Other"), "slug": slug.upper()}, headers=ADMIN
    )
    assert problem(explicit, 409)["code"] == "duplicate_slug"
    derived = await client.post("/api/categories", json={"name": slug}, headers=ADMIN)
    assert problem(derived, 409)["code"] == "duplicate_slug"
    assert [item["slug"] for item in await listed(client)].count(slug) == 1


@pytest.mark.parametrize(
    "slug",
    ["has space", "-leading", "trailing-", "double--hyphen", "ünï", "under_score", "", "a" * 101],
)
async def test_an_invalid_slug_is_refused(client: httpx.AsyncClient, slug: str) -> None:
    name = unique("Invalid slug")
    response = await client.post(
        "/api/categories", json={"name": name, "slug": slug}, headers=ADMIN
    )
    assert {error["field"] for error in problem(response, 422)["errors"]} == {"slug"}
    assert name not in [item["name"] for item in await listed(client)]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": "Toys", "description": None}, "description"),
        ({"name": "Toys", "is_active": False}, "is_active"),
        ({"name": "Toys", "product_count": 3}, "product_count"),
    ],
)
async def test_an_invalid_category_is_refused(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/categories", json=body, headers=ADMIN)
    assert field in {error["field"] for error in problem(response, 422)["errors"]}


async def test_only_an_admin_may_create_a_category(client: httpx.AsyncClient) -> None:
    name = unique("Forbidden")
    anonymous = await client.post("/api/categories", json={"name": name})
    assert problem(anonymous, 401)["code"] == "unauthorized"
    customer = await client.post("/api/categories", json={"name": name}, headers=bearer())
    assert problem(customer, 403)["code"] == "forbidden"
    assert name not in [item["name"] for item in await listed(client)]


# --- listing ----------------------------------------------------------------------------------


async def test_categories_are_listed_by_name_whatever_the_case(
    client: httpx.AsyncClient,
) -> None:
    tag = suffix()
    names = [f"{tag} banana", f"{tag} Apple", f"{tag} cherry", f"{tag} apricot"]
    ids = {(await make_category(client, name))["id"]: name for name in names}

    shown = [item["name"] for item in await listed(client) if item["id"] in ids]

    assert shown == [f"{tag} Apple", f"{tag} apricot", f"{tag} banana", f"{tag} cherry"]


async def test_the_whole_list_is_in_name_order(client: httpx.AsyncClient) -> None:
    await make_category(client)
    names = [item["name"].lower() for item in await listed(client)]
    assert names == sorted(names)


async def test_product_count_counts_only_what_a_shopper_can_see(
    client: httpx.AsyncClient,
) -> None:
    category = await make_category(client)
    other = await make_category(client)
    products = [await make_product(client, category_id=category["id"]) for _ in range(4)]
    await make_product(client, category_id=other["id"])
    await make_product(client, category_id=category["id"], stock=0)  # sold out still counts
    assert (await listed_one(client, category))["product_count"] == 5

    deleted, withdrawn, moved = products[0], products[1], products[2]
    assert (await client.delete(f"/api/products/{deleted['id']}", headers=ADMIN)).status_code == 204
    assert (
        await client.put(
            f"/api/products/{withdrawn['id']}", json={"is_active": False}, headers=ADMIN
        )
    ).status_code == 200
    assert (
        await client.put(
            f"/api/products/{moved['id']}", json={"category_id": other["id"]}, headers=ADMIN
        )
    ).status_code == 200

    assert (await listed_one(client, category))["product_count"] == 2
    assert (await listed_one(client, other))["product_count"] == 2


async def test_a_new_category_appears_in_the_list_at_once(client: httpx.AsyncClient) -> None:
    await listed(client)  # fills the cache, which the create must invalidate
    created = await make_category(client)
    assert await listed_one(client, created) == created


# --- updating ---------------------------------------------------------------------------------


async def update(
    client: httpx.AsyncClient, category: dict[str, Any], body: dict[str, Any]
) -> httpx.Response:
    return await client.put(f"/api/categories/{category['id']}", json=body, headers=ADMIN)


async def listed_with_withdrawn(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/categories", params={"include_inactive": "true"}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_an_admin_renames_and_redescribes_a_category(client: httpx.AsyncClient) -> None:
    category = await make_category(client)
    await make_product(client, category_id=category["id"])
    await listed(client)  # fills the cache, which the update must invalidate
    tag = suffix()

    response = await update(
        client,
        category,
        {"name": f"  Renamed {tag} ", "description": "New words.", "slug": f"Renamed-{tag}"},
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        **category,
        "name": f"Renamed {tag}",
        "description": "New words.",
        "slug": f"renamed-{tag}",
        "product_count": 1,
    }
    assert await listed_one(client, category) == response.json()
    by_new_slug = await client.get("/api/products", params={"category": f"renamed-{tag}"})
    assert by_new_slug.json()["total"] == 1


async def test_only_what_is_sent_changes(client: httpx.AsyncClient) -> None:
    category = await make_category(client, description="Kept.")
    response = await update(client, category, {"name": unique("Only the name")})
    assert response.status_code == 200, response.text
    assert response.json()["slug"] == category["slug"]
    assert response.json()["description"] == "Kept."
    same = await update(client, category, {"slug": category["slug"]})  # its own slug is fine
    assert same.status_code == 200, same.text


async def test_a_slug_taken_by_another_category_is_a_conflict(client: httpx.AsyncClient) -> None:
    taken = await make_category(client)
    category = await make_category(client)

    response = await update(client, category, {"slug": taken["slug"].upper()})

    assert problem(response, 409)["code"] == "duplicate_slug"
    assert (await listed_one(client, category))["slug"] == category["slug"]


async def test_an_unknown_category_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.put(
        f"/api/categories/{uuid.uuid4()}", json={"name": "Nobody"}, headers=ADMIN
    )
    assert problem(response, 404)["code"] == "category_not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"slug": "has space"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"slug": None}, "slug"),
        ({"description": None}, "description"),
        ({"is_active": None}, "is_active"),
        ({"is_active": "false"}, "is_active"),
        ({"is_active": 0}, "is_active"),
        ({"product_count": 3}, "product_count"),
    ],
)
async def test_an_invalid_update_is_refused(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    category = await make_category(client)
    response = await update(client, category, body)
    assert field in {error["field"] for error in problem(response, 422)["errors"]}
    assert await listed_one(client, category) == category


async def test_only_an_admin_may_update_a_category(client: httpx.AsyncClient) -> None:
    category = await make_category(client)
    path = f"/api/categories/{category['id']}"
    anonymous = await client.put(path, json={"name": "Nope"})
    assert problem(anonymous, 401)["code"] == "unauthorized"
    customer = await client.put(path, json={"name": "Nope"}, headers=bearer())
    assert problem(customer, 403)["code"] == "forbidden"
    assert await listed_one(client, category) == category


async def test_a_withdrawn_category_leaves_the_shoppers_list_but_not_its_products(
    client: httpx.AsyncClient,
) -> None:
    category = await make_category(client)
    product = await make_product(client, category_id=category["id"])
    await listed(client)

    withdrawn = await update(client, category, {"is_active": False})

    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json() == {**category, "is_active": False, "product_count": 1}
    assert category["id"] not in [item["id"] for item in await listed(client)]
    (for_admin,) = [i for i in await listed_with_withdrawn(client) if i["id"] == category["id"]]
    assert for_admin == withdrawn.json()
    # The products stay for sale, still naming their category.
    shown = await client.get(f"/api/products/{product['id']}")
    assert shown.status_code == 200
    assert shown.json()["category"]["id"] == category["id"]

    restored = await update(client, category, {"is_active": True})
    assert restored.status_code == 200, restored.text
    assert await listed_one(client, category) == {**category, "product_count": 1}


async def test_only_admins_may_list_withdrawn_categories(client: httpx.AsyncClient) -> None:
    params = {"include_inactive": "true"}
    customer = await client.get("/api/categories", params=params, headers=bearer())
    assert problem(customer, 403)["code"] == "forbidden"
    anonymous = await client.get("/api/categories", params=params)
    assert problem(anonymous, 401)["code"] == "unauthorized"
    not_asked = await client.get("/api/categories", params={"include_inactive": "false"})
    assert not_asked.status_code == 200
