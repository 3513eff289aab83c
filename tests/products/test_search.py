"""Listing and searching the catalog as a shopper does: pages, sorts, filters and full text.

Every test works in a category of its own, so its totals count only its own products. Orders are
asserted exactly and without backend branches: PostgreSQL's tsvector and SQLite's FTS5 must
give a shopper the same answer wherever the two engines allow it.
"""

from __future__ import annotations

import os
import unicodedata
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import create_async_engine

from mercato.kit.migrations import upgrade_async
from mercato.kit.types import utcnow
from mercato.products.models import Product

from .support import ADMIN, client_for, make_category, make_product

BACKEND = os.environ.get("MERCATO_TEST_BACKEND", "sqlite")

PROBLEM = "application/problem+json"
Products = list[dict[str, Any]]


async def catalog(
    client: httpx.AsyncClient, *specs: dict[str, Any]
) -> tuple[dict[str, Any], Products]:
    """A new category holding one product per spec, created in the order given."""
    category = await make_category(client)
    products = [await make_product(client, category_id=category["id"], **spec) for spec in specs]
    return category, products


async def listing(
    client: httpx.AsyncClient, category: dict[str, Any] | None = None, **params: Any
) -> dict[str, Any]:
    if category is not None:
        params.setdefault("category", category["slug"])
    response = await client.get("/api/products", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    page: dict[str, Any] = response.json()
    return page


async def found(
    client: httpx.AsyncClient, category: dict[str, Any], q: str, **params: Any
) -> list[str]:
    """The names a search for `q` finds in `category`, in the order shown."""
    return [item["name"] for item in (await listing(client, category, q=q, **params))["items"]]


def invalid_fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    return {error["field"] for error in response.json()["errors"]}


def ids(products: Products) -> list[str]:
    return [product["id"] for product in products]


def word() -> str:
    """A made-up word no other test uses, that no stemmer shortens (letters only, ends in q)."""
    return "qx" + "".join(chr(ord("a") + int(d, 16)) for d in uuid.uuid4().hex[:10]) + "q"


# --- pagination -------------------------------------------------------------------------------


async def test_pages_split_the_listing_and_say_how_many_there_are(
    client: httpx.AsyncClient,
) -> None:
    category, products = await catalog(client, *({} for _ in range(5)))
    newest_first = ids(products)[::-1]

    pages = [await listing(client, category, limit=2, page=n) for n in (1, 2, 3)]

    assert [page["total"] for page in pages] == [5, 5, 5]
    assert [page["pages"] for page in pages] == [3, 3, 3]
    assert [page["page"] for page in pages] == [1, 2, 3]
    assert [page["limit"] for page in pages] == [2, 2, 2]
    assert [len(page["items"]) for page in pages] == [2, 2, 1]
    assert [item["id"] for page in pages for item in page["items"]] == newest_first
    assert pages[0]["items"][0] == products[-1]  # the same shape as a product read alone


async def test_a_page_past_the_end_is_empty_but_keeps_the_total(
    client: httpx.AsyncClient,
) -> None:
    category, _ = await catalog(client, {}, {}, {})
    page = await listing(client, category, limit=2, page=3)
    assert page == {"items": [], "total": 3, "page": 3, "limit": 2, "pages": 2}
    far = await listing(client, category, page=1_000_000)
    assert far["items"] == []
    assert far["total"] == 3


async def test_an_empty_listing_has_no_pages(client: httpx.AsyncClient) -> None:
    category, _ = await catalog(client)
    assert await listing(client, category) == {
        "items": [],
        "total": 0,
        "page": 1,
        "limit": 20,
        "pages": 0,
    }


async def test_the_limit_may_be_anything_from_1_to_100(client: httpx.AsyncClient) -> None:
    category, _ = await catalog(client, {}, {})
    assert len((await listing(client, category, limit=1))["items"]) == 1
    assert (await listing(client, category, limit=100))["pages"] == 1
    assert (await listing(client, category))["limit"] == 20


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": -1}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"page": 0}, "page"),
        ({"page": -2}, "page"),
        ({"page": 1.5}, "page"),
        ({"sort": "cheapest"}, "sort"),
        ({"sort": "PRICE"}, "sort"),
        ({"min_price": "-1"}, "min_price"),
        ({"min_price": "1.001"}, "min_price"),
        ({"max_price": "abc"}, "max_price"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"q": "x" * 201}, "q"),
        ({"min_price": "10", "max_price": "9.99"}, "min_price"),
    ],
)
async def test_an_invalid_query_is_a_validation_error(
    client: httpx.AsyncClient, params: dict[str, Any], field: str
) -> None:
    response = await client.get("/api/products", params=params)
    assert invalid_fields(response) == {field}


# --- sorting ----------------------------------------------------------------------------------

SORTABLE = [
    {"name": "banana", "price": "3.00"},
    {"name": "Apple", "price": "5.00"},
    {"name": "cherry", "price": "1.00"},
    {"name": "apple pie", "price": "5.00"},
    {"name": "Banana split", "price": "12.50"},
]


def by_price(products: Products, *, descending: bool = False) -> list[str]:
    ordered = sorted(products, key=lambda p: p["id"])
    ordered.sort(key=lambda p: Decimal(p["price"]), reverse=descending)
    return ids(ordered)


def by_name(products: Products, *, descending: bool = False) -> list[str]:
    ordered = sorted(products, key=lambda p: p["id"])
    ordered.sort(key=lambda p: p["name"].lower(), reverse=descending)
    return ids(ordered)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", lambda products: by_price(products)),
        ("-price", lambda products: by_price(products, descending=True)),
        ("name", lambda products: by_name(products)),
        ("-name", lambda products: by_name(products, descending=True)),
        ("newest", lambda products: ids(products)[::-1]),
        # Nothing to rank by without a query: the newest first, as with no sort at all.
        ("relevance", lambda products: ids(products)[::-1]),
        (None, lambda products: ids(products)[::-1]),
    ],
)
async def test_each_sort_orders_the_listing(
    client: httpx.AsyncClient, sort: str | None, expected: Callable[[Products], list[str]]
) -> None:
    category, products = await catalog(client, *SORTABLE)
    params = {"sort": sort} if sort else {}
    shown = [item["id"] for item in (await listing(client, category, **params))["items"]]
    assert shown == expected(products)


async def test_names_sort_without_regard_to_case(client: httpx.AsyncClient) -> None:
    category, _ = await catalog(client, *SORTABLE)
    names = [item["name"] for item in (await listing(client, category, sort="name"))["items"]]
    assert names == ["Apple", "apple pie", "banana", "Banana split", "cherry"]


async def test_a_sort_holds_across_pages(client: httpx.AsyncClient) -> None:
    category, products = await catalog(client, *SORTABLE)
    shown = [
        item["id"]
        for n in (1, 2, 3)
        for item in (await listing(client, category, sort="-price", limit=2, page=n))["items"]
    ]
    assert shown == by_price(products, descending=True)


async def test_the_stock_sort_shows_what_runs_out_first(client: httpx.AsyncClient) -> None:
    category, _ = await catalog(
        client,
        {"name": "Kettle", "stock": 7},
        {"name": "lamp", "stock": 3},
        {"name": "Teapot", "stock": 0},
        {"name": "Apron", "stock": 3},
        {"name": "Mug", "stock": 12},
    )
    shown = [
        (item["name"], item["stock"])
        for n in (1, 2, 3)
        for item in (await listing(client, category, sort="stock", limit=2, page=n))["items"]
    ]
    # Lowest stock first; equal stock by name, whatever its case.
    assert shown == [("Teapot", 0), ("Apron", 3), ("lamp", 3), ("Kettle", 7), ("Mug", 12)]


async def test_the_stock_sort_follows_a_stock_change(client: httpx.AsyncClient) -> None:
    category, (kettle, _) = await catalog(
        client, {"name": "Kettle", "stock": 9}, {"name": "Mug", "stock": 4}
    )
    response = await client.put(f"/api/products/{kettle['id']}", json={"stock": 1}, headers=ADMIN)
    assert response.status_code == 200, response.text

    page = await listing(client, category, sort="stock")

    assert [(item["name"], item["stock"]) for item in page["items"]] == [("Kettle", 1), ("Mug", 4)]


# --- filters ----------------------------------------------------------------------------------

PRICED = [
    {"name": "one", "price": "1.00", "stock": 3},
    {"name": "five", "price": "5.00", "stock": 0},
    {"name": "ten", "price": "10.00", "stock": 1},
    {"name": "twenty", "price": "20.00", "stock": 8},
]


async def test_a_category_is_chosen_by_slug_or_by_id(client: httpx.AsyncClient) -> None:
    category, products = await catalog(client, {}, {})
    await catalog(client, {})  # another category's product stays out
    expected = ids(products)[::-1]
    for chosen in (
        category["slug"],
        category["id"],
        category["slug"].upper(),
        category["id"].upper(),
    ):
        response = await client.get("/api/products", params={"category": chosen})
        assert [item["id"] for item in response.json()["items"]] == expected, chosen


async def test_an_unknown_category_lists_nothing(client: httpx.AsyncClient) -> None:
    for chosen in ("no-such-category", str(uuid.uuid4())):
        page = (await client.get("/api/products", params={"category": chosen})).json()
        assert (page["items"], page["total"]) == ([], 0)


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"min_price": "5"}, ["five", "ten", "twenty"]),
        ({"min_price": "5.00"}, ["five", "ten", "twenty"]),
        ({"min_price": "5.01"}, ["ten", "twenty"]),
        ({"max_price": "10"}, ["one", "five", "ten"]),
        ({"min_price": "5", "max_price": "10"}, ["five", "ten"]),
        ({"min_price": "10", "max_price": "10"}, ["ten"]),
        ({"min_price": "0", "max_price": "0.99"}, []),
        ({"in_stock": "true"}, ["one", "ten", "twenty"]),
        ({"in_stock": "false"}, ["one", "five", "ten", "twenty"]),
        ({"in_stock": "true", "min_price": "2", "max_price": "15"}, ["ten"]),
    ],
)
async def test_price_and_stock_filters_combine(
    client: httpx.AsyncClient, params: dict[str, str], names: list[str]
) -> None:
    category, _ = await catalog(client, *PRICED)
    page = await listing(client, category, sort="price", **params)
    assert [item["name"] for item in page["items"]] == names
    assert page["total"] == len(names)


async def test_a_search_combines_with_the_other_filters(client: httpx.AsyncClient) -> None:
    term = word()
    category, _ = await catalog(
        client,
        {"name": f"Cheap {term}", "price": "2.00"},
        {"name": f"Dear {term}", "price": "90.00"},
        {"name": f"Gone {term}", "price": "50.00", "stock": 0},
        {"name": f"Mid {term}", "price": "40.00"},
        {"name": "Mid unrelated", "price": "40.00"},
    )
    await catalog(client, {"name": f"Elsewhere {term}", "price": "40.00"})

    names = await found(client, category, term, min_price="10", in_stock="true", sort="price")

    assert names == [f"Mid {term}", f"Dear {term}"]


# --- full text --------------------------------------------------------------------------------


async def test_a_match_in_the_name_ranks_above_one_in_the_description(
    client: httpx.AsyncClient,
) -> None:
    term = word()
    category, _ = await catalog(
        client,
        {"name": "Plain lamp", "description": f"A lamp with {term} inside."},
        {"name": "Unrelated lamp", "description": "Nothing to see."},
        {"name": f"{term} lamp", "description": "A lamp."},
    )

    expected = [f"{term} lamp", "Plain lamp"]
    assert await found(client, category, term) == expected
    assert await found(client, category, term, sort="relevance") == expected
    assert await found(client, category, term.upper()) == expected
    assert await found(client, category, f"lamp {term}") == expected
    page = await listing(client, category, q=term)
    assert (page["total"], page["pages"]) == (2, 1)
    # Another sort overrides the ranking but keeps the same matches.
    assert await found(client, category, term, sort="name") == expected[::-1]
    assert await found(client, category, term, sort="newest") == expected


async def test_the_last_word_is_a_prefix(client: httpx.AsyncClient) -> None:
    category, _ = await catalog(
        client,
        {"name": "Wireless Earbuds"},
        {"name": "Wired Mouse"},
        {"name": "Wool Scarf"},
    )
    assert await found(client, category, "wirel") == ["Wireless Earbuds"]
    assert await found(client, category, "WIRELESS") == ["Wireless Earbuds"]
    assert await found(client, category, "wire", sort="name") == ["Wired Mouse", "Wireless Earbuds"]
    # Shorter than MIN_PREFIX, a word matches only whole: "w" would match most of a catalog.
    assert await found(client, category, "wir") == []
    assert await found(client, category, "wool") == ["Wool Scarf"]


async def test_only_the_last_word_is_a_prefix(client: httpx.AsyncClient) -> None:
    category, _ = await catalog(client, {"name": "Wireless Earbuds"}, {"name": "Wired Earbuds"})
    assert await found(client, category, "earbuds wirel") == ["Wireless Earbuds"]
    assert await found(client, category, "wirel earbuds") == []


@pytest.mark.parametrize(
    ("q", "name"),
    [
        ("headphone", "Studio Headphones"),
        ("headphones", "Studio Headphones"),
        ("batteries", "Spare Battery Pack"),
        ("running", "Trail Run Shoes"),
        ("shoe", "Trail Run Shoes"),
    ],
)
async def test_words_match_their_other_forms(client: httpx.AsyncClient, q: str, name: str) -> None:
    category, _ = await catalog(
        client,
        {"name": "Studio Headphones"},
        {"name": "Spare Battery Pack"},
        {"name": "Trail Run Shoes"},
    )
    assert await found(client, category, q) == [name]


async def test_every_word_must_match(client: httpx.AsyncClient) -> None:
    category, _ = await catalog(
        client,
        {"name": "Red Wool Scarf"},
        {"name": "Red Cotton Shirt"},
        {"name": "Blue Wool Hat", "description": "Not red at all."},
    )
    assert await found(client, category, "red wool", sort="name") == [
        "Blue Wool Hat",
        "Red Wool Scarf",
    ]
    assert await found(client, category, "wool red scarf") == ["Red Wool Scarf"]
    assert await found(client, category, "red, wool; SCARF!") == ["Red Wool Scarf"]
    assert await found(client, category, "red wool silk") == []


@pytest.mark.parametrize(
    ("shape", "searches"),
    [
        # The usual shape. PostgreSQL's parser reads its "-123456" as a signed number.
        ("{L}-{D}", ["{L}-{D}", "{l}-{d}", "{d}", "{l}"]),
        # The demo catalog's shape.
        ("MRC-{L}-{D}", ["mrc-{l}-{d}", "{l} {d}", "MRC-{L}"]),
        # Alone, PostgreSQL reads "{D}E{D}AB" as the number {D}e{D} and the word "ab".
        ("{L}-{D}E{D}AB", ["{l}-{d}e{d}ab", "{d}e{d}ab"]),
        ("{L}_{D}", ["{l}_{d}", "{l} {d}"]),
    ],
)
async def test_a_product_is_found_by_its_sku(
    client: httpx.AsyncClient, shape: str, searches: list[str]
) -> None:
    letters = word()[2:8].upper()
    digits = str(uuid.uuid4().int)[:6]
    values = {"L": letters, "l": letters.lower(), "D": digits, "d": digits}
    category, _ = await catalog(
        client,
        {"name": "Wanted", "sku": shape.format(**values)},
        {"name": "Other", "sku": f"OTHER-{uuid.uuid4().hex[:8]}"},
    )
    for search in searches:
        assert await found(client, category, search.format(**values)) == ["Wanted"], search


async def test_a_sku_with_dots_and_slashes_is_found_by_its_parts(
    client: httpx.AsyncClient,
) -> None:
    letters = word()[2:8]
    category, _ = await catalog(
        client, {"name": "Wanted", "sku": f"AB.{letters}.12/X"}, {"name": "Other"}
    )
    for search in (f"ab.{letters}.12/x", letters, f"ab {letters} 12"):
        assert await found(client, category, search) == ["Wanted"], search


async def test_a_decimal_number_is_one_word(client: httpx.AsyncClient) -> None:
    category, _ = await catalog(
        client,
        {"name": "Kettle", "description": "A 1.7 litre electric kettle."},
        {"name": "Jug", "description": "Holds 7 litres, 1 at a time."},
    )
    assert await found(client, category, "1.7 litre") == ["Kettle"]
    assert await found(client, category, "1.7") == ["Kettle"]


@pytest.mark.parametrize("q", ["the", "!!!", "  ", "the of and", "-", "'\"", "::*", "_", "\\"])
async def test_a_query_with_no_searchable_word_filters_nothing(
    client: httpx.AsyncClient, q: str
) -> None:
    """Decided: stop words and punctuation alone are not a search, so the shopper sees the
    listing as if nothing had been typed (newest first), never an error or an empty page."""
    category, products = await catalog(client, {"name": "First"}, {"name": "Second"})
    page = await listing(client, category, q=q)
    assert [item["id"] for item in page["items"]] == ids(products)[::-1]
    assert page["total"] == 2


async def test_stop_words_are_ignored_beside_real_words(client: httpx.AsyncClient) -> None:
    # "over", "all" and "the" are all stop words to PostgreSQL; SQLite must ignore them too.
    category, _ = await catalog(
        client, {"name": "Wireless Speaker"}, {"name": "Over-Ear Headphones"}, {"name": "Cable"}
    )
    assert await found(client, category, "the wireless") == ["Wireless Speaker"]
    assert await found(client, category, "wireless over all") == ["Wireless Speaker"]
    assert await found(client, category, "over-ear") == ["Over-Ear Headphones"]


@pytest.mark.parametrize(
    "q",
    [
        '"unterminated',
        "a OR b",
        "name:lamp",
        "lamp*",
        "(lamp",
        "NEAR(lamp shade)",
        "-lamp",
        "lamp & !shade | x",
        "lamp:*",
        "lamp <-> shade",
        "'; DROP TABLE products; --",
        "lamp\u00a0shade",
    ],
)
async def test_query_syntax_typed_by_a_shopper_is_just_text(
    client: httpx.AsyncClient, q: str
) -> None:
    digits = str(uuid.uuid4().int)
    category, _ = await catalog(
        client,
        {"name": "Lamp Shade", "sku": f"Z{digits[:12]}"},
        {"name": "Table", "sku": f"Z{digits[12:24]}"},
    )
    page = await listing(client, category, q=q)
    assert [item["name"] for item in page["items"]] in ([], ["Lamp Shade"])


async def test_accents_match_however_they_are_typed(client: httpx.AsyncClient) -> None:
    category, _ = await catalog(client, {"name": "Café Crème Mug"}, {"name": "Plain Mug"})
    decomposed = unicodedata.normalize("NFD", "café")
    assert decomposed != "café"
    for q in ("café", "CAFÉ", "crème", decomposed, "café crème mug"):
        assert await found(client, category, q) == ["Café Crème Mug"], q


async def test_a_query_without_accents_finds_a_name_with_them(client: httpx.AsyncClient) -> None:
    category, _ = await catalog(client, {"name": "Café Crème Mug"}, {"name": "Plain Mug"})
    assert await found(client, category, "cafe creme") == ["Café Crème Mug"]


async def test_an_edit_is_searchable_at_once(client: httpx.AsyncClient) -> None:
    old, new = word(), word()
    category, (product,) = await catalog(client, {"name": f"Lamp {old}"})
    assert await found(client, category, old) == [f"Lamp {old}"]

    response = await client.put(
        f"/api/products/{product['id']}",
        json={"name": "Lamp", "description": f"Now {new}."},
        headers=ADMIN,
    )

    assert response.status_code == 200, response.text
    assert await found(client, category, old) == []
    assert await found(client, category, new) == ["Lamp"]


# --- cost -------------------------------------------------------------------------------------


async def test_a_page_costs_the_same_few_statements_whatever_its_size(
    client: httpx.AsyncClient, new_app: Callable[..., FastAPI]
) -> None:
    """No N+1: the page and its count, each product's category joined in."""
    term = word()
    big, _ = await catalog(client, *({"name": f"{term} lamp {n}"} for n in range(20)))
    small, _ = await catalog(client, {"name": f"{term} lamp"})
    # Its own instance: no cache to answer instead of the database, and no expiry sweep
    # running statements of its own meanwhile.
    app = new_app(catalog_cache=False, reservation_sweep_seconds=3600)
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    async with LifespanManager(app), client_for(app) as http:
        engine = app.state.db.engine.sync_engine
        await http.get("/api/products")  # the first connection's set-up is not the page's cost
        event.listen(engine, "before_cursor_execute", record)
        try:
            costs = {}
            for category in (big, small):
                statements.clear()
                params = {"q": term, "category": category["slug"], "sort": "-price"}
                response = await http.get("/api/products", params=params)
                assert response.status_code == 200
                costs[category["id"]] = (len(response.json()["items"]), list(statements))
        finally:
            event.remove(engine, "before_cursor_execute", record)

    (big_items, big_statements), (small_items, small_statements) = costs.values()
    assert (big_items, small_items) == (20, 1)
    queries = [s for s in big_statements if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) == 2, big_statements  # the page and its count
    assert len(big_statements) <= 3, big_statements  # and SQLite's BEGIN
    assert len(small_statements) == len(big_statements)


@dataclass(frozen=True)
class IndexedCatalog:
    """A products database of its own, of a few thousand rows with fresh statistics."""

    url: str
    rare: str  # a word three of its products carry


@pytest.fixture(scope="module")
async def indexed_catalog(backend: Any) -> AsyncIterator[IndexedCatalog]:
    name = f"mercato_test_plans_{uuid.uuid4().hex[:10]}"
    if backend.name == "postgres":
        server = backend.database_urls["products"].rsplit("/", 1)[0]
        url = f"{server}/{name}"
        maintenance = await asyncpg.connect(
            server.replace("postgresql+asyncpg://", "postgresql://") + "/postgres"
        )
        await maintenance.execute(f'CREATE DATABASE "{name}"')
    else:
        url = f"sqlite+aiosqlite:///{backend.data_dir / name}.db"
    try:
        await upgrade_async("products", url)
        rare = word()
        await _fill_with_products(url, 3000, rare=rare)
        yield IndexedCatalog(url, rare)
    finally:
        if backend.name == "postgres":
            await maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await maintenance.close()


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("newest", "ix_products_newest"),
        ("price", "ix_products_price"),
        ("name", "ix_products_name"),
    ],
)
async def test_a_sorted_listing_reads_its_index(
    indexed_catalog: IndexedCatalog, new_app: Callable[..., FastAPI], sort: str, index: str
) -> None:
    """The listing indexes are partial on the rows a shopper may see: the query must state
    that condition exactly as the indexes do, or neither engine uses them."""
    plans = await _plans(new_app, indexed_catalog.url, {"sort": sort})
    (page_plan,) = [plan for statement, plan in plans if "ORDER BY" in statement]
    assert index in page_plan, page_plan


@pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL's GIN index")
async def test_postgres_searches_through_the_gin_index(
    indexed_catalog: IndexedCatalog, new_app: Callable[..., FastAPI]
) -> None:
    plans = await _plans(
        new_app, indexed_catalog.url, {"q": indexed_catalog.rare, "sort": "relevance"}
    )
    assert len(plans) == 2  # the count and the page
    for _, plan in plans:
        assert "ix_products_search" in plan, plan


async def _plans(
    new_app: Callable[..., FastAPI], url: str, params: dict[str, str]
) -> list[tuple[str, str]]:
    """(statement, plan) of each query one listing request runs."""
    app = new_app(products_database_url=url, catalog_cache=False, reservation_sweep_seconds=3600)
    ran: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):
            ran.append((args[2], args[3]))

    async with LifespanManager(app), client_for(app) as http:
        engine = app.state.db.engine
        await http.get("/api/products")  # the first connection's set-up is not the request's
        event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            response = await http.get("/api/products", params=params)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", record)
        assert response.status_code == 200
        assert response.json()["total"] == (3 if "q" in params else 3000)
        explain = "EXPLAIN" if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN"
        async with engine.connect() as connection:
            return [
                (
                    sql,
                    "\n".join(
                        str(row[-1])
                        for row in await connection.exec_driver_sql(f"{explain} {sql}", parameters)
                    ),
                )
                for sql, parameters in ran
            ]


async def _fill_with_products(url: str, count: int, *, rare: str) -> None:
    """`count` products of a few common words; the first three also carry `rare`."""
    words = ["lamp", "chair", "table", "kettle", "mug", "scarf", "speaker", "cable", "desk"]
    colours = ["red", "blue", "green", "black", "white", "oak", "steel"]
    now = utcnow()
    rows = [
        {
            "id": str(uuid.uuid4()),
            "name": f"{colours[n % 7]} {words[n % 9]} {n}" + (f" {rare}" if n < 3 else ""),
            "description": f"A {words[(n * 5) % 9]} for every {words[(n * 7) % 9]}.",
            "price": Decimal(n % 500 + 1),
            "currency": "USD",
            "sku": f"PLAN-{n:05d}",
            "stock": n % 13,
            "reserved": 0,
            "sold": 0,
            "is_active": True,
            "created_at": now - timedelta(seconds=n),
            "updated_at": now,
        }
        for n in range(count)
    ]
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(Product), rows)
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            # VACUUM too on PostgreSQL: it moves the rows out of the GIN index's pending list
            # (where bulk inserts land), as autovacuum would have done in a settled shop.
            if engine.dialect.name == "postgresql":
                await connection.exec_driver_sql("VACUUM ANALYZE products")
            else:
                await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()
