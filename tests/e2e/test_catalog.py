"""The catalog end to end: `mercato up`, the demo catalog, an admin's changes seen at once by
shoppers, and inventory kept out of the gateway's reach. Real processes, through the gateway."""

from __future__ import annotations

import subprocess
import uuid

import httpx
import pytest

from mercato.products.demo_catalog import PRODUCTS

from .running import RunningStack, mercato
from .test_up import PASSWORD, create_admin, gateway, unique_email

pytestmark = pytest.mark.e2e


def bearer_for(client: httpx.Client, email: str) -> dict[str, str]:
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def test_the_demo_catalog_is_browsable_through_the_gateway(stack: RunningStack) -> None:
    # `up` loaded it on its first start when the catalog was empty; `seed` makes sure of it
    # on a shared database, and must be harmless beside the running stack.
    seeded = subprocess.run(
        mercato("seed"), env=stack.env, capture_output=True, text=True, timeout=60
    )
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    demo = PRODUCTS[0]
    with gateway(stack) as client:
        found = client.get("/api/products", params={"q": demo.sku})
        assert found.status_code == 200, found.text
        [product] = found.json()["items"]
        assert (product["name"], product["price"]) == (demo.name, str(demo.price))
        image = client.get(product["image_url"])
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/svg+xml"
        categories = client.get("/api/categories").json()["items"]
        assert demo.category_slug in {c["slug"] for c in categories}
        detail = client.get(f"/api/products/{product['id']}")
        assert detail.json() == product


def test_an_admin_changes_the_catalog_and_shoppers_see_it_at_once(stack: RunningStack) -> None:
    admin_email = unique_email("catalog-admin")
    assert create_admin(stack, admin_email, PASSWORD).returncode == 0
    shopper_email = unique_email("shopper")
    with gateway(stack) as client:
        registered = client.post(
            "/api/auth/register",
            json={"email": shopper_email, "password": PASSWORD, "name": "Sam"},
        )
        assert registered.status_code == 201
        admin = bearer_for(client, admin_email)
        shopper = bearer_for(client, shopper_email)
        name = f"Lamps {uuid.uuid4().hex[:8]}"
        category = client.post("/api/categories", json={"name": name}, headers=admin)
        assert category.status_code == 201, category.text
        body = {
            "name": "Halo Desk Lamp",
            "price": "49.00",
            "sku": f"E2E-{uuid.uuid4().hex[:10]}",
            "stock": 3,
            "category_id": category.json()["id"],
        }
        refused = client.post("/api/products", json=body, headers=shopper)
        assert refused.status_code == 403
        assert client.post("/api/products", json=body).status_code == 401
        created = client.post("/api/products", json=body, headers=admin)
        assert created.status_code == 201, created.text
        duplicate = client.post("/api/products", json=body, headers=admin)
        assert duplicate.status_code == 409
        assert duplicate.headers["content-type"] == "application/problem+json"
        free = client.post("/api/products", json={**body, "price": "0"}, headers=admin)
        assert free.status_code == 422
        assert [e["field"] for e in free.json()["errors"]] == ["price"]
        again = client.post("/api/categories", json={"name": name}, headers=admin)
        assert again.status_code == 409
        path = f"/api/products/{created.json()['id']}"
        listing = f"/api/products?category={category.json()['slug']}"
        for _ in range(2):  # the second read is served from the cache
            assert client.get(path).json()["price"] == "49.00"
            assert client.get(listing).json()["total"] == 1
        assert client.get(path).headers["x-cache"] == "HIT"

        changed = client.put(path, json={"price": "39.50"}, headers=admin)
        assert changed.status_code == 200
        assert client.get(path).json()["price"] == "39.50"
        assert client.get(listing).json()["items"][0]["price"] == "39.50"

        assert client.delete(path, headers=admin).status_code == 204
        assert client.get(path).status_code == 404
        assert client.get(listing).json()["total"] == 0


def test_inventory_is_not_reachable_from_outside(stack: RunningStack) -> None:
    order = str(uuid.uuid4())
    with gateway(stack) as client:
        for method, path in (
            ("POST", "/internal/reservations"),
            ("GET", f"/internal/reservations/{order}"),
            ("POST", f"/internal/reservations/{order}/release"),
        ):
            answer = client.request(method, path, json={})
            assert answer.status_code == 404, (method, path)
