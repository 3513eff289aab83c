"""The public catalog reads, answered from the cache before any routing or validation.

A hit is answered here with the stored bytes. A miss goes on to the FastAPI route, which
validates the query and reads the database; its 200 answer is stored under the generation
read *before* the database was, so an answer that raced a write is never served (cache.py).
Only answers a route marks as public are stored: an admin's view of a withdrawn product is not.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercato.products.cache import CATALOG, CatalogCache, Slot, product_scope

PRIVATE = "catalog_private"
"""Key in the request state by which a route keeps its answer out of the cache."""

_PRODUCT = re.compile(r"^/api/products/([0-9a-fA-F-]{36})$")
_MAX_QUERY = 1024
_JSON = (b"content-type", b"application/json")


class _Template:
    """What the metrics label a cached answer with, as if the route had run."""

    def __init__(self, path: str) -> None:
        self.path = path


_LIST_ROUTE = _Template("/api/products")
_PRODUCT_ROUTE = _Template("/api/products/{product_id}")
_CATEGORIES_ROUTE = _Template("/api/categories")


def _cache_place(scope: Scope) -> tuple[str, str, _Template] | None:
    """(cache scope, key, route) of a catalog read, or None for anything else."""
    if scope["method"] != "GET":
        return None
    path: str = scope["path"]
    query = scope["query_string"].decode("latin-1")
    if path == "/api/products":
        return CATALOG, f"list?{query}", _LIST_ROUTE
    if path == "/api/categories":
        return CATALOG, f"categories?{query}", _CATEGORIES_ROUTE
    match = _PRODUCT.match(path)
    if match:
        product_id = match.group(1).lower()
        return product_scope(product_id), f"product?{query}", _PRODUCT_ROUTE
    return None


def _cacheable(scope: Scope) -> bool:
    query: bytes = scope["query_string"]
    # An admin's view of withdrawn products is not public; a huge query string would only
    # fill the cache with one-off entries.
    return len(query) <= _MAX_QUERY and b"include_inactive" not in query


class CachedReadsMiddleware:
    def __init__(self, app: ASGIApp, *, cache: CatalogCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        place = _cache_place(scope) if scope["type"] == "http" else None
        if place is None:
            await self.app(scope, receive, send)
            return
        cache_scope, key, route = place
        if not _cacheable(scope):
            await self._fill(scope, receive, send, None)
            return
        body, slot = await self.cache.lookup(cache_scope, key)
        if body is not None:
            scope["route"] = route
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        _JSON,
                        (b"content-length", str(len(body)).encode()),
                        (b"x-cache", b"HIT"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self._fill(scope, receive, send, slot)

    async def _fill(self, scope: Scope, receive: Receive, send: Send, slot: Slot | None) -> None:
        state: dict[str, Any] = scope.setdefault("state", {})
        status = 0
        chunks: list[bytes] = []

        async def send_and_keep(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-cache", b"MISS")]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, send_and_keep)
        if slot is not None and status == 200 and not state.get(PRIVATE):
            await self.cache.store(slot, b"".join(chunks))
