"""Random sequences of reserve, retry, confirm, release, expiry and restocking, checked step by
step against a model: stock + reserved + sold is conserved per product, no counter goes below
zero, and reserved and sold are exactly what the held and confirmed reservations say.

Hypothesis drives steps synchronously, so the test owns an event loop and a fresh instance of
the service on it (the session's app lives on pytest-asyncio's loop, which is idle meanwhile).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Table, func, select, update

from mercato.kit.types import utcnow
from mercato.products.expiry import sweep_once
from mercato.products.models import Product, Reservation, ReservationLine

from .support import ADMIN, SERVICE, client_for, make_product

_P: Table = Product.__table__  # type: ignore[assignment]
_R: Table = Reservation.__table__  # type: ignore[assignment]
_L: Table = ReservationLine.__table__  # type: ignore[assignment]

T = TypeVar("T")


class Shop:
    """A products instance with its lifespan running on a loop of our own. The lifespan and
    the client are entered and left by one host task, as they require."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self._stop: asyncio.Future[None] = self.loop.create_future()
        self._ready: asyncio.Future[httpx.AsyncClient] = self.loop.create_future()
        self._host = self.loop.create_task(self._serve())
        self.client = self.loop.run_until_complete(self._ready)

    async def _serve(self) -> None:
        async with LifespanManager(self.app), client_for(self.app) as client:
            self._ready.set_result(client)
            await self._stop

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def close(self) -> None:
        self._stop.set_result(None)
        try:
            self.loop.run_until_complete(self._host)
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
        finally:
            self.loop.close()


@pytest.fixture
def shop(new_app: Callable[..., FastAPI]) -> Iterator[Shop]:
    # A short cache lease: every write waits one out (cache.py), and stock is conserved
    # whatever its length; the product page is still read after each step.
    opened = Shop(new_app(catalog_cache_lease_seconds=0.002))
    try:
        yield opened
    finally:
        opened.close()


@dataclass
class Order:
    order_id: str
    lines: dict[int, int]  # product index -> units
    status: str | None = None  # None: refused, so the order has no reservation
    sent: list[tuple[int, int]] = field(default_factory=list)


class InventoryMachine(RuleBasedStateMachine):
    """The model: per product the units for sale and the total; per order its status."""

    shop: Shop

    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.products: list[str] = []
        self.stock: list[int] = []
        self.total: list[int] = []
        self.known: dict[str, Order] = {}

    # --- set-up -------------------------------------------------------------------------------

    @initialize(stocks=st.lists(st.integers(0, 8), min_size=2, max_size=3))
    def open_shop(self, stocks: list[int]) -> None:
        for units in stocks:
            product = self.shop.run(make_product(self.shop.client, stock=units))
            self.products.append(product["id"])
        self.stock = list(stocks)
        self.total = list(stocks)

    # --- rules --------------------------------------------------------------------------------

    @rule(
        target=orders,
        sent=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 2)), min_size=1, max_size=3),
    )
    def reserve(self, sent: list[tuple[int, int]]) -> Order:
        sent = [(index % len(self.products), units) for index, units in sent]
        order = Order(str(uuid.uuid4()), merged(sent), sent=sent)
        self._reserve_new(order)
        return order

    @rule(order=orders, reverse=st.booleans())
    def retry(self, order: Order, reverse: bool) -> None:
        """The orders service sends the same reservation again, perhaps lines reordered."""
        sent = list(reversed(order.sent)) if reverse else order.sent
        if order.status is None:  # never made: a retry is a fresh attempt
            self._reserve_new(order, sent)
            return
        response = self.post_reservation(order.order_id, sent)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == order.status

    @rule(order=orders, extra=st.integers(1, 3))
    def reserve_other_lines_for_a_made_order(self, order: Order, extra: int) -> None:
        if order.status is None:
            return
        index = order.sent[0][0]
        response = self.post_reservation(order.order_id, [*order.sent, (index, extra)])
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "reservation_mismatch"

    @rule(order=orders)
    def confirm(self, order: Order) -> None:
        response = self.post(order, "confirm")
        if order.status is None:
            assert response.status_code == 404, response.text
        elif order.status == "released":
            assert response.status_code == 409, response.text
            assert response.json()["code"] == "reservation_released"
        else:
            assert response.status_code == 200, response.text
            order.status = "confirmed"
            assert response.json()["status"] == "confirmed"

    @rule(order=orders)
    def release(self, order: Order) -> None:
        response = self.post(order, "release")
        if order.status is None:
            assert response.status_code == 404, response.text
            return
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "released"
        if order.status != "released":
            for index, units in order.lines.items():
                self.stock[index] += units
            order.status = "released"

    @rule(order=orders)
    def lapse(self, order: Order) -> None:
        """Its time runs out and the sweeper comes by: only a held reservation is released."""
        self.shop.run(self._lapse(order.order_id))
        if order.status == "held":
            for index, units in order.lines.items():
                self.stock[index] += units
            order.status = "released"
        if order.status is not None:
            found = self.shop.run(
                self.shop.client.get(f"/internal/reservations/{order.order_id}", headers=SERVICE)
            )
            assert found.json()["status"] == order.status

    @rule(index=st.integers(0, 2), units=st.integers(0, 5))
    def admin_sets_stock(self, index: int, units: int) -> None:
        """The one move that changes the total: what is reserved or sold stays as it was."""
        index %= len(self.products)
        response = self.shop.run(
            self.shop.client.put(
                f"/api/products/{self.products[index]}", json={"stock": units}, headers=ADMIN
            )
        )
        assert response.status_code == 200, response.text
        self.total[index] += units - self.stock[index]
        self.stock[index] = units

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def stock_is_conserved_and_matches_the_reservations(self) -> None:
        if not self.products:
            return
        counted, held, sold = self.shop.run(self._counters())
        for index, product_id in enumerate(self.products):
            stock, reserved, sold_units = counted[product_id]
            assert stock >= 0
            assert reserved >= 0
            assert sold_units >= 0
            assert stock + reserved + sold_units == self.total[index]
            assert reserved == held.get(product_id, 0)
            assert sold_units == sold.get(product_id, 0)
            assert stock == self.stock[index]
            assert reserved == self.model_units(index, "held")
            assert sold_units == self.model_units(index, "confirmed")

    @invariant()
    def shoppers_read_the_stock_for_sale(self) -> None:
        for index, product_id in enumerate(self.products):
            page = self.shop.run(self.shop.client.get(f"/api/products/{product_id}"))
            assert page.json()["stock"] == self.stock[index]

    # --- plumbing -----------------------------------------------------------------------------

    def _reserve_new(self, order: Order, sent: list[tuple[int, int]] | None = None) -> None:
        sent = sent or order.sent
        response = self.post_reservation(order.order_id, sent)
        # Short lines are listed in the order the request first named their products.
        short = [
            {"product_id": self.products[i], "requested": units, "available": self.stock[i]}
            for i, units in merged(sent).items()
            if self.stock[i] < units
        ]
        if short:
            assert response.status_code == 409, response.text
            assert response.json()["short"] == short
            return
        assert response.status_code == 201, response.text
        assert {line["product_id"]: line["quantity"] for line in response.json()["lines"]} == {
            self.products[i]: units for i, units in order.lines.items()
        }
        for index, units in order.lines.items():
            self.stock[index] -= units
        order.status = "held"
        self.known[order.order_id] = order

    def model_units(self, index: int, status: str) -> int:
        return sum(
            order.lines.get(index, 0) for order in self.known.values() if order.status == status
        )

    def post_reservation(self, order_id: str, sent: list[tuple[int, int]]) -> httpx.Response:
        lines = [{"product_id": self.products[i], "quantity": units} for i, units in sent]
        return self.shop.run(
            self.shop.client.post(
                "/internal/reservations",
                json={"order_id": order_id, "lines": lines},
                headers=SERVICE,
            )
        )

    def post(self, order: Order, action: str) -> httpx.Response:
        return self.shop.run(
            self.shop.client.post(
                f"/internal/reservations/{order.order_id}/{action}", headers=SERVICE
            )
        )

    async def _lapse(self, order_id: str) -> None:
        database = self.shop.app.state.db
        async with database.sessions.begin() as session:
            await session.execute(
                update(_R)
                .where(_R.c.order_id == order_id)
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
        await sweep_once(database, self.shop.app.state.catalog_cache)

    async def _counters(
        self,
    ) -> tuple[dict[str, tuple[int, int, int]], dict[str, int], dict[str, int]]:
        """Per product (stock, reserved, sold), and the units of its held and of its
        confirmed reservations, all read in one snapshot."""
        per_status = (
            select(_L.c.product_id, _R.c.status, func.sum(_L.c.quantity).label("units"))
            .join(_R, _R.c.order_id == _L.c.order_id)
            .where(_L.c.product_id.in_(self.products))
            .group_by(_L.c.product_id, _R.c.status)
        )
        async with self.shop.app.state.db.sessions.begin() as session:
            counters = await session.execute(
                select(_P.c.id, _P.c.stock, _P.c.reserved, _P.c.sold).where(
                    _P.c.id.in_(self.products)
                )
            )
            counted = {row.id: (row.stock, row.reserved, row.sold) for row in counters}
            units = (await session.execute(per_status)).all()
        held = {row.product_id: int(row.units) for row in units if row.status == "held"}
        sold = {row.product_id: int(row.units) for row in units if row.status == "confirmed"}
        return counted, held, sold


def merged(sent: list[tuple[int, int]]) -> dict[int, int]:
    lines: dict[int, int] = {}
    for index, units in sent:
        lines[index] = lines.get(index, 0) + units
    return lines


def test_reservations_conserve_stock(shop: Shop) -> None:
    InventoryMachine.shop = shop
    run_state_machine_as_test(
        InventoryMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
