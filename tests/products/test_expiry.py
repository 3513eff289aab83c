"""The sweeper that puts the stock of unpaid, lapsed reservations back on sale: only held ones,
each exactly once however many instances sweep, and on its own in the background."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import Table

from mercato.products.expiry import sweep_once
from mercato.products.models import Product, Reservation

from .support import ADMIN, SERVICE, client_for, lapse, levels, make_product, reserve

_P: Table = Product.__table__  # type: ignore[assignment]
_R: Table = Reservation.__table__  # type: ignore[assignment]


async def sweep_all(app: FastAPI) -> None:
    while await sweep_once(app.state.db, app.state.catalog_cache) > 0:
        pass


async def status(client: httpx.AsyncClient, order_id: str) -> str:
    response = await client.get(f"/internal/reservations/{order_id}", headers=SERVICE)
    assert response.status_code == 200, response.text
    found: str = response.json()["status"]
    return found


async def shown_stock(client: httpx.AsyncClient, product_id: str) -> int:
    response = await client.get(f"/api/products/{product_id}")
    assert response.status_code == 200, response.text
    stock: int = response.json()["stock"]
    return stock


@pytest.fixture
async def own_sweeps_only(products_app: FastAPI) -> AsyncIterator[None]:
    """The session app's background sweeper paused, for a test that counts what a sweep did."""
    expiry = products_app.state.reservation_expiry
    await expiry.stop()
    try:
        yield
    finally:
        expiry.start()


@pytest.fixture
async def second_app(new_app: Callable[..., FastAPI]) -> AsyncIterator[FastAPI]:
    app = new_app()
    async with LifespanManager(app):
        yield app


async def test_a_lapsed_reservation_goes_back_on_sale(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    lamp = await make_product(client, stock=5)
    mug = await make_product(client, stock=2)
    order_id = str(uuid.uuid4())
    assert (await reserve(client, [(lamp["id"], 3), (mug["id"], 2)], order_id)).status_code == 201
    # Cached while held: the sweep must make the cache forget it.
    assert await shown_stock(client, lamp["id"]) == 2
    assert await shown_stock(client, lamp["id"]) == 2

    await lapse(products_app, order_id)
    await sweep_all(products_app)

    assert await status(client, order_id) == "released"
    assert await levels(products_app, lamp["id"]) == (5, 0, 0)
    assert await levels(products_app, mug["id"]) == (2, 0, 0)
    assert await shown_stock(client, lamp["id"]) == 5
    assert await shown_stock(client, mug["id"]) == 2
    # Released for good: paying for it now is refused, and the stock stays where it is.
    confirm = await client.post(f"/internal/reservations/{order_id}/confirm", headers=SERVICE)
    assert confirm.status_code == 409
    assert confirm.json()["code"] == "reservation_released"
    await sweep_all(products_app)
    assert await levels(products_app, lamp["id"]) == (5, 0, 0)


async def test_only_lapsed_held_reservations_are_released(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=10)
    paid, unpaid, lapsed = (str(uuid.uuid4()) for _ in range(3))
    for order_id in (paid, unpaid, lapsed):
        assert (await reserve(client, [(product["id"], 2)], order_id)).status_code == 201
    await client.post(f"/internal/reservations/{paid}/confirm", headers=SERVICE)
    await lapse(products_app, paid, lapsed)

    await sweep_all(products_app)

    assert await status(client, paid) == "confirmed"
    assert await status(client, unpaid) == "held"
    assert await status(client, lapsed) == "released"
    assert await levels(products_app, product["id"]) == (6, 2, 2)


async def test_a_lapsed_reservation_of_a_deleted_product_is_released(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=3)
    order_id = str(uuid.uuid4())
    await reserve(client, [(product["id"], 3)], order_id)
    await client.delete(f"/api/products/{product['id']}", headers=ADMIN)
    await lapse(products_app, order_id)

    await sweep_all(products_app)

    assert await status(client, order_id) == "released"
    assert await levels(products_app, product["id"]) == (3, 0, 0)


@pytest.mark.usefixtures("own_sweeps_only")
async def test_a_sweep_releases_at_most_its_batch(
    client: httpx.AsyncClient, products_app: FastAPI
) -> None:
    product = await make_product(client, stock=5)
    orders = [str(uuid.uuid4()) for _ in range(5)]
    for order_id in orders:
        await reserve(client, [(product["id"], 1)], order_id)
    await lapse(products_app, *orders)

    first = await sweep_once(products_app.state.db, products_app.state.catalog_cache, batch=2)
    assert first == 2
    await sweep_all(products_app)

    assert [await status(client, order_id) for order_id in orders] == ["released"] * 5
    assert await levels(products_app, product["id"]) == (5, 0, 0)


async def test_sweepers_on_two_instances_release_each_reservation_once(
    client: httpx.AsyncClient, products_app: FastAPI, second_app: FastAPI
) -> None:
    product = await make_product(client, stock=30)
    orders = [str(uuid.uuid4()) for _ in range(12)]
    for n, order_id in enumerate(orders):
        await reserve(client, [(product["id"], 1 + n % 2)], order_id)
    await lapse(products_app, *orders)

    await asyncio.gather(
        *(
            sweep_once(app.state.db, app.state.catalog_cache, batch=5)
            for app in (products_app, second_app, products_app, second_app)
        )
    )

    assert [await status(client, order_id) for order_id in orders] == ["released"] * 12
    assert await levels(products_app, product["id"]) == (30, 0, 0)
    async with client_for(second_app) as other:
        assert await shown_stock(other, product["id"]) == 30


async def test_a_sweep_racing_the_payment_of_a_lapsed_order_has_one_outcome(
    client: httpx.AsyncClient, products_app: FastAPI, second_app: FastAPI
) -> None:
    product = await make_product(client, stock=20)
    orders = [str(uuid.uuid4()) for _ in range(8)]
    for order_id in orders:
        await reserve(client, [(product["id"], 2)], order_id)
    await lapse(products_app, *orders)

    async with client_for(second_app) as other:
        confirming = asyncio.gather(
            *(
                other.post(f"/internal/reservations/{order_id}/confirm", headers=SERVICE)
                for order_id in orders
            )
        )
        await sweep_once(products_app.state.db, products_app.state.catalog_cache)
        answers = await confirming
    await sweep_all(products_app)

    paid = 0
    for order_id, answer in zip(orders, answers, strict=True):
        if answer.status_code == 200:
            assert await status(client, order_id) == "confirmed"
            paid += 1
        else:
            assert answer.status_code == 409, answer.text
            assert answer.json()["code"] == "reservation_released"
            assert await status(client, order_id) == "released"
    assert await levels(products_app, product["id"]) == (20 - 2 * paid, 0, 2 * paid)


async def test_the_background_task_sweeps_on_its_own(
    client: httpx.AsyncClient, products_app: FastAPI, new_app: Callable[..., FastAPI]
) -> None:
    product = await make_product(client, stock=4)
    order_id = str(uuid.uuid4())
    await reserve(client, [(product["id"], 4)], order_id)
    assert await shown_stock(client, product["id"]) == 0
    await lapse(products_app, order_id)

    sweeping = new_app(reservation_sweep_seconds=0.05)
    async with LifespanManager(sweeping):
        for _ in range(100):
            if await status(client, order_id) == "released":
                break
            await asyncio.sleep(0.05)

    assert await status(client, order_id) == "released"
    assert await levels(products_app, product["id"]) == (4, 0, 0)
    # The instance that swept told the shared cache: this one's readers see the stock too.
    assert await shown_stock(client, product["id"]) == 4
