"""`/metrics` tells an operator how the cache and the reservations are doing."""

from __future__ import annotations

import re

import httpx

from .support import make_product, reserve


async def counter(client: httpx.AsyncClient, name: str, label: str) -> float:
    text = (await client.get("/metrics")).text
    match = re.search(rf'^{name}{{[^}}]*="{label}"}} ([0-9.e+]+)$', text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def test_cache_hits_and_misses_are_counted(client: httpx.AsyncClient) -> None:
    product = await make_product(client)
    name = "mercato_products_cache_lookups_total"
    hits, misses = await counter(client, name, "hit"), await counter(client, name, "miss")
    await client.get(f"/api/products/{product['id']}")
    await client.get(f"/api/products/{product['id']}")
    assert await counter(client, name, "miss") == misses + 1
    assert await counter(client, name, "hit") == hits + 1


async def test_reservations_are_counted_by_outcome(client: httpx.AsyncClient) -> None:
    product = await make_product(client, stock=1)
    name = "mercato_products_reservations_total"
    held, refused = await counter(client, name, "held"), await counter(client, name, "refused")
    assert (await reserve(client, [(product["id"], 1)])).status_code == 201
    assert (await reserve(client, [(product["id"], 1)])).status_code == 409
    assert await counter(client, name, "held") == held + 1
    assert await counter(client, name, "refused") == refused + 1
