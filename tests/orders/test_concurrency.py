"""The checkout's invariant under load: never more sold than the stock, every paid order
charged exactly once, every refused shopper charged nothing."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx

from .support import (
    VISA,
    Shopper,
    cancel,
    make_product,
    order_of,
    pay,
    payments_of,
    place,
    placed,
    purchase,
    stock_of,
)


async def _checkouts(
    orders: httpx.AsyncClient, wanted: list[tuple[Shopper, list[tuple[str, int]]]]
) -> list[httpx.Response]:
    return list(
        await asyncio.gather(*(place(orders, shopper, items, VISA) for shopper, items in wanted))
    )


def _refusals_are_stock(answers: list[httpx.Response]) -> None:
    for answer in answers:
        if answer.status_code != 201:
            assert answer.status_code == 409, answer.text
            assert answer.json()["code"] == "insufficient_stock", answer.text


async def test_forty_shoppers_for_seven_units(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=7, price="30.00")
    shoppers = [Shopper() for _ in range(40)]

    answers = await _checkouts(orders, [(shopper, [(product["id"], 1)]) for shopper in shoppers])

    _refusals_are_stock(answers)
    paid = [answer.json() for answer in answers if answer.status_code == 201]
    assert len(paid) == 7
    assert sum(answer.status_code == 409 for answer in answers) == 33
    assert {order["status"] for order in paid} == {"paid"}
    assert await stock_of(products, product["id"]) == 0
    charged: list[dict[str, Any]] = []
    for found in await asyncio.gather(*(payments_of(payments, s) for s in shoppers)):
        charged.extend(found)
    assert sorted(p["order_id"] for p in charged) == sorted(order["id"] for order in paid)
    assert {(p["status"], p["amount"]) for p in charged} == {("succeeded", "30.00")}


async def test_mixed_quantities_and_lines_never_oversell(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    first = await make_product(products, stock=20, price="2.00")
    second = await make_product(products, stock=12, price="3.00")
    wanted: list[tuple[Shopper, list[tuple[str, int]]]] = []
    for n in range(24):
        lines = [(first["id"], 1 + n % 4)]
        if n % 3 == 0:  # both products, in either order
            lines = [(second["id"], 1 + n % 2), *lines][:: 1 if n % 2 else -1]
        wanted.append((Shopper(), lines))

    answers = await _checkouts(orders, wanted)

    _refusals_are_stock(answers)
    paid = [answer.json() for answer in answers if answer.status_code == 201]
    assert paid
    assert len(paid) < len(answers)
    sold = {first["id"]: 0, second["id"]: 0}
    for order in paid:
        assert order["status"] == "paid"
        for item in order["items"]:
            sold[item["product_id"]] += item["quantity"]
    assert await stock_of(products, first["id"]) == 20 - sold[first["id"]] >= 0
    assert await stock_of(products, second["id"]) == 12 - sold[second["id"]] >= 0
    charged: list[dict[str, Any]] = []
    for found in await asyncio.gather(*(payments_of(payments, s) for s, _ in wanted)):
        charged.extend(found)
    assert sorted(p["order_id"] for p in charged) == sorted(order["id"] for order in paid)
    totals = {order["id"]: order["total_amount"] for order in paid}
    assert all(p["status"] == "succeeded" for p in charged)
    assert {p["order_id"]: p["amount"] for p in charged} == totals
    assert (
        sum(Decimal(p["amount"]) for p in charged) == 2 * sold[first["id"]] + 3 * sold[second["id"]]
    )


async def test_a_payment_racing_a_cancellation_never_keeps_the_money(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=30, price="4.00")
    shopper = Shopper()
    pending = [await placed(orders, shopper, [(product["id"], 2)]) for _ in range(6)]

    races = await asyncio.gather(
        *(
            asyncio.gather(
                pay(payments, shopper, order["id"], VISA),
                cancel(orders, order["id"], shopper.headers),
            )
            for order in pending
        )
    )

    for paid, cancelled in races:
        assert paid.status_code in (201, 409), paid.text
        assert cancelled.status_code in (200, 409), cancelled.text
    made = {p["order_id"]: p for p in await payments_of(payments, shopper)}
    held = 0
    for order in pending:
        final = await order_of(orders, order["id"])
        assert final["status"] in ("paid", "cancelled")
        payment = made.get(order["id"])
        if final["status"] == "paid":
            assert payment is not None
            assert payment["status"] == "succeeded"
            held += 2
        elif payment is not None:  # paid, then cancelled: refunded in full
            assert payment["status"] == "refunded", payment
            assert payment["refunded_amount"] == payment["amount"] == "8.00"
    assert await stock_of(products, product["id"]) == 30 - held


async def test_concurrent_payments_of_one_order_charge_it_once(
    orders: httpx.AsyncClient, products: httpx.AsyncClient, payments: httpx.AsyncClient
) -> None:
    product, shopper, order = await purchase(orders, products, stock=5, quantity=1, price="9.00")

    answers = await asyncio.gather(*(pay(payments, shopper, order["id"], VISA) for _ in range(5)))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201, 409, 409, 409, 409], [answer.text for answer in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["code"] in ("order_busy", "order_not_pending"), answer.text
    [payment] = await payments_of(payments, shopper)
    assert (payment["status"], payment["amount"]) == ("succeeded", "9.00")
    assert (await order_of(orders, order["id"]))["payment"]["id"] == payment["id"]
    assert await stock_of(products, product["id"]) == 4
