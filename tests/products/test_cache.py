"""The catalog cache as shoppers meet it: hits after the first read, and never a stale answer
after a write, also when the write went through another instance of the service."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from .support import ADMIN, SERVICE, bearer, client_for, make_category, make_product, reserve


@asynccontextmanager
async def instance(
    new_app: Callable[..., FastAPI], **overrides: object
) -> AsyncIterator[httpx.AsyncClient]:
    """A second instance of the service, on the same databases and cache, and a client."""
    app = new_app(**overrides)
    async with LifespanManager(app), client_for(app) as client:
        yield client


async def test_a_repeated_read_is_a_hit_with_the_same_body(client: httpx.AsyncClient) -> None:
    category = await make_category(client)
    product = await make_product(client, category_id=category["id"])
    for path in (
        f"/api/products/{product['id']}",
        f"/api/products?category={category['slug']}",
        "/api/categories",
    ):
        first = await client.get(path)
        second = await client.get(path)
        assert first.status_code == second.status_code == 200, path
        assert first.headers["x-cache"] == "MISS", path
        assert second.headers["x-cache"] == "HIT", path
        assert second.content == first.content, path
        assert second.headers["content-type"] == "application/json"
        assert second.headers["x-request-id"], "a hit is still a traced answer"


async def test_answers_that_are_not_public_are_never_cached(client: httpx.AsyncClient) -> None:
    product = await make_product(client)
    withdrawn = await client.put(
        f"/api/products/{product['id']}", json={"is_active": False}, headers=ADMIN
    )
    assert withdrawn.status_code == 200
    for _ in range(2):
        seen_by_admin = await client.get(f"/api/products/{product['id']}", headers=ADMIN)
        assert seen_by_admin.status_code == 200
        assert seen_by_admin.headers["x-cache"] == "MISS"
    assert (await client.get(f"/api/products/{product['id']}")).status_code == 404
    inactive_list = await client.get("/api/products?include_inactive=true", headers=ADMIN)
    assert inactive_list.headers["x-cache"] == "MISS"
    as_customer = await client.get("/api/products?include_inactive=true", headers=bearer())
    assert as_customer.status_code == 403
    missing = f"/api/products/{uuid.uuid4()}"
    assert [(await client.get(missing)).headers["x-cache"] for _ in range(2)] == ["MISS"] * 2


async def test_reads_after_writes_on_another_instance_are_never_stale(
    client: httpx.AsyncClient, new_app: Callable[..., FastAPI]
) -> None:
    category = await make_category(client)
    product = await make_product(client, category_id=category["id"], price="10.00", stock=50)
    detail = f"/api/products/{product['id']}"
    listing = f"/api/products?category={category['id']}"
    async with instance(new_app) as other:
        for round_ in range(1, 16):
            # Both instances hold the current answers in their caches ...
            for reader in (client, other):
                await reader.get(detail)
                await reader.get(listing)
            writer, reader = (client, other) if round_ % 2 else (other, client)
            price = f"{10 + round_}.00"
            # ... then one instance changes the product, and the other is asked at once.
            changed = await writer.put(detail, json={"price": price}, headers=ADMIN)
            assert changed.status_code == 200, changed.text
            assert (await reader.get(detail)).json()["price"] == price
            assert [p["price"] for p in (await reader.get(listing)).json()["items"]] == [price]


async def test_stock_moves_show_at_once_on_every_instance(
    client: httpx.AsyncClient, new_app: Callable[..., FastAPI]
) -> None:
    product = await make_product(client, stock=5)
    detail = f"/api/products/{product['id']}"
    async with instance(new_app) as other:
        assert (await other.get(detail)).json()["stock"] == 5
        assert (await other.get(detail)).headers["x-cache"] == "HIT"
        order_id = str(uuid.uuid4())
        assert (await reserve(client, [(product["id"], 3)], order_id)).status_code == 201
        assert (await other.get(detail)).json()["stock"] == 2
        released = await client.post(f"/internal/reservations/{order_id}/release", headers=SERVICE)
        assert released.status_code == 200
        assert (await other.get(detail)).json()["stock"] == 5


async def test_lists_and_counts_follow_creates_and_deletes(
    client: httpx.AsyncClient, new_app: Callable[..., FastAPI]
) -> None:
    category = await make_category(client)
    listing = f"/api/products?category={category['slug']}"
    async with instance(new_app) as other:
        assert (await other.get(listing)).json()["total"] == 0
        counts = {
            c["id"]: c["product_count"]
            for c in (await other.get("/api/categories")).json()["items"]
        }
        assert counts[category["id"]] == 0
        product = await make_product(client, category_id=category["id"])
        assert (await other.get(listing)).json()["total"] == 1
        counts = {
            c["id"]: c["product_count"]
            for c in (await other.get("/api/categories")).json()["items"]
        }
        assert counts[category["id"]] == 1
        deleted = await client.delete(f"/api/products/{product['id']}", headers=ADMIN)
        assert deleted.status_code == 204
        assert (await other.get(listing)).json()["total"] == 0
        assert (await other.get(f"/api/products/{product['id']}")).status_code == 404
        new_category = await make_category(client)
        slugs = [c["slug"] for c in (await other.get("/api/categories")).json()["items"]]
        assert new_category["slug"] in slugs


async def test_category_lists_and_product_pages_follow_a_category_update(
    client: httpx.AsyncClient, new_app: Callable[..., FastAPI]
) -> None:
    category = await make_category(client)
    product = await make_product(client, category_id=category["id"])
    detail = f"/api/products/{product['id']}"
    async with instance(new_app) as other:
        for _ in range(2):  # the second read is served from the cache
            assert category["id"] in [
                c["id"] for c in (await other.get("/api/categories")).json()["items"]
            ]
            assert (await other.get(detail)).json()["category"]["name"] == category["name"]
        path = f"/api/categories/{category['id']}"
        renamed = await client.put(
            path, json={"name": "Renamed", "slug": f"r-{uuid.uuid4().hex}"}, headers=ADMIN
        )
        assert renamed.status_code == 200, renamed.text
        shown = (await other.get(detail)).json()["category"]
        assert (shown["name"], shown["slug"]) == ("Renamed", renamed.json()["slug"])
        listed = {c["id"]: c for c in (await other.get("/api/categories")).json()["items"]}
        assert listed[category["id"]]["name"] == "Renamed"
        withdrawn = await client.put(path, json={"is_active": False}, headers=ADMIN)
        assert withdrawn.status_code == 200, withdrawn.text
        ids = [c["id"] for c in (await other.get("/api/categories")).json()["items"]]
        assert category["id"] not in ids


async def test_a_cache_outage_falls_back_to_the_database(
    client: httpx.AsyncClient, new_app: Callable[..., FastAPI]
) -> None:
    product = await make_product(client, stock=4)
    detail = f"/api/products/{product['id']}"
    # Nothing listens on port 1: every key-value call fails as when Redis is down.
    async with instance(new_app, redis_url="redis://127.0.0.1:1/0") as cut_off:
        for _ in range(2):
            answer = await cut_off.get(detail)
            assert answer.status_code == 200
            assert answer.headers["x-cache"] == "MISS"
            assert answer.json()["stock"] == 4
        listing = await cut_off.get("/api/products?limit=1")
        assert listing.status_code == 200
        assert listing.headers["x-cache"] == "MISS"
        assert (await cut_off.get("/api/categories")).status_code == 200
        # Checkout keeps working without the cache: the stock moves, and is seen at once.
        assert (await reserve(cut_off, [(product["id"], 1)])).status_code == 201
        assert (await cut_off.get(detail)).json()["stock"] == 3
    assert (await client.get(detail)).json()["stock"] == 3


async def test_a_write_waits_out_the_leases_on_old_generations(
    new_app: Callable[..., FastAPI],
) -> None:
    """Instances trust a generation for a lease without asking the store; a write answers only
    once every such lease has run out, so even a long lease never shows a stale answer."""
    lease = 0.3
    async with (
        instance(new_app, catalog_cache_lease_seconds=lease) as first,
        instance(new_app, catalog_cache_lease_seconds=lease) as second,
    ):
        product = await make_product(first, price="5.00")
        detail = f"/api/products/{product['id']}"
        assert (await second.get(detail)).json()["price"] == "5.00"
        assert (await second.get(detail)).headers["x-cache"] == "HIT"
        loop = asyncio.get_running_loop()
        started = loop.time()
        changed = await first.put(detail, json={"price": "6.00"}, headers=ADMIN)
        assert changed.status_code == 200
        assert loop.time() - started >= lease
        fresh = await second.get(detail)
        assert fresh.json()["price"] == "6.00"
        assert fresh.headers["x-cache"] == "MISS"


async def test_a_bad_token_does_not_change_a_public_answer(client: httpx.AsyncClient) -> None:
    """Public reads do not look at the token, cached or not, so a stale or forged one gets
    the same answer either way; only an admin's view of a withdrawn product needs one."""
    product = await make_product(client)
    forged = {"Authorization": "Bearer not-a-token"}
    for path in (f"/api/products/{product['id']}", "/api/products?limit=1", "/api/categories"):
        answers = [await client.get(path, headers=forged) for _ in range(2)]
        assert [a.status_code for a in answers] == [200, 200], path
        assert [a.headers["x-cache"] for a in answers] == ["MISS", "HIT"], path
    await client.put(f"/api/products/{product['id']}", json={"is_active": False}, headers=ADMIN)
    withdrawn = await client.get(f"/api/products/{product['id']}", headers=forged)
    assert withdrawn.status_code == 401
    assert (
        await client.get("/api/products?include_inactive=true", headers=forged)
    ).status_code == 401
