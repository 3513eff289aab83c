"""`POST /internal/charges`: the mock processor's outcomes, one charge per key, and at most
one successful charge per order."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from fastapi import FastAPI

from harness import bearer

from .support import charge_body, new_id, payment_rows, post_charge

OUTCOMES = [
    ("pm_card_visa", "succeeded", None),
    ("pm_card_mastercard", "succeeded", None),
    ("pm_card_chargeDeclined", "failed", "card_declined"),
    ("pm_card_chargeDeclinedInsufficientFunds", "failed", "insufficient_funds"),
    ("pm_card_chargeDeclinedExpiredCard", "failed", "expired_card"),
    ("pm_card_processingError", "failed", "processing_error"),
]


@pytest.mark.parametrize(("method", "status", "failure_code"), OUTCOMES)
async def test_each_test_card_has_its_outcome(
    client: httpx.AsyncClient, method: str, status: str, failure_code: str | None
) -> None:
    body = charge_body(payment_method=method, amount="12.5")
    response = await post_charge(client, body)

    assert response.status_code == 201, response.text
    payment = response.json()
    assert payment["status"] == status
    assert payment["failure_code"] == failure_code
    assert payment["order_id"] == body["order_id"]
    assert payment["user_id"] == body["user_id"]
    assert payment["amount"] == "12.50"
    assert payment["refunded_amount"] == "0.00"
    assert payment["currency"] == "USD"
    assert payment["payment_method"] == method
    assert payment["refunds"] == []
    if status == "succeeded":
        assert re.fullmatch(r"ch_[0-9a-f]{24}", payment["transaction_id"])
    assert payment["created_at"].endswith("Z")


async def test_a_repeated_key_answers_the_same_payment(
    client: httpx.AsyncClient, payments_app: FastAPI
) -> None:
    body = charge_body()
    first = await post_charge(client, body)
    again = await post_charge(client, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert len(await payment_rows(payments_app, body["order_id"])) == 1


async def test_a_declined_key_repeated_stays_declined(client: httpx.AsyncClient) -> None:
    body = charge_body(payment_method="pm_card_chargeDeclined")
    first = await post_charge(client, body)
    again = await post_charge(client, body)

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["failure_code"] == "card_declined"


async def test_twenty_racing_requests_with_one_key_make_one_payment(
    client: httpx.AsyncClient, payments_app: FastAPI
) -> None:
    body = charge_body()
    answers = await asyncio.gather(*(post_charge(client, body) for _ in range(20)))

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 19 + [201], [a.text for a in answers if a.status_code != 200]
    rows = await payment_rows(payments_app, body["order_id"])
    assert len(rows) == 1
    assert {a.json()["id"] for a in answers} == {rows[0]["id"]}


async def test_racing_keys_for_one_order_charge_it_once(
    client: httpx.AsyncClient, payments_app: FastAPI
) -> None:
    order_id, user_id = new_id(), new_id()
    bodies = [charge_body(order_id=order_id, user_id=user_id) for _ in range(10)]
    answers = await asyncio.gather(*(post_charge(client, body) for body in bodies))

    assert sorted(a.status_code for a in answers) == [201] + [409] * 9
    rows = await payment_rows(payments_app, order_id)
    assert [row["status"] for row in rows] == ["succeeded"]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["code"] == "order_already_paid"
            assert answer.json()["payment"]["id"] == rows[0]["id"]


async def test_another_key_for_a_paid_order_is_refused_with_its_payment(
    client: httpx.AsyncClient, payments_app: FastAPI
) -> None:
    body = charge_body()
    paid = (await post_charge(client, body)).json()

    again = await post_charge(client, {**body, "key": f"pay:{new_id()}"})

    assert again.status_code == 409
    problem = again.json()
    assert problem["code"] == "order_already_paid"
    assert problem["payment"] == paid
    assert len(await payment_rows(payments_app, body["order_id"])) == 1


async def test_an_order_declined_once_may_be_paid_with_another_key(
    client: httpx.AsyncClient, payments_app: FastAPI
) -> None:
    declined = charge_body(payment_method="pm_card_chargeDeclinedExpiredCard")
    await post_charge(client, declined)

    paid = await post_charge(
        client, {**declined, "key": f"pay:{new_id()}", "payment_method": "pm_card_visa"}
    )

    assert paid.status_code == 201
    assert paid.json()["status"] == "succeeded"
    statuses = sorted(
        row["status"] for row in await payment_rows(payments_app, declined["order_id"])
    )
    assert statuses == ["failed", "succeeded"]


async def _processing_errors_counted(client: httpx.AsyncClient) -> float:
    metrics = (await client.get("/metrics")).text
    found = re.search(
        r'^mercato_payments_total\{outcome="processing_error"\} (\S+)$', metrics, re.M
    )
    return float(found.group(1)) if found else 0.0


async def test_a_processing_error_is_charged_again_on_the_same_row(
    client: httpx.AsyncClient, payments_app: FastAPI
) -> None:
    body = charge_body(payment_method="pm_card_processingError")
    first = await post_charge(client, body)
    counted = await _processing_errors_counted(client)

    again = await post_charge(client, body)

    # 201: this call charged the card again (a stored outcome would answer 200).
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["failure_code"] == "processing_error"
    assert await _processing_errors_counted(client) == counted + 1
    assert len(await payment_rows(payments_app, body["order_id"])) == 1


async def test_a_processing_error_is_not_charged_again_once_the_order_is_paid(
    client: httpx.AsyncClient,
) -> None:
    failed = charge_body(payment_method="pm_card_processingError")
    await post_charge(client, failed)
    paid = await post_charge(client, {**failed, "key": new_id(), "payment_method": "pm_card_visa"})

    again = await post_charge(client, failed)

    assert again.status_code == 409
    assert again.json()["code"] == "order_already_paid"
    assert again.json()["payment"]["id"] == paid.json()["id"]


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "10.01"},
        {"order_id": "5b0f3c8e-0000-4000-8000-000000000001"},
        {"payment_method": "pm_card_mastercard"},
        {"currency": "EUR"},
    ],
)
async def test_a_key_reused_for_another_charge_is_a_mismatch(
    client: httpx.AsyncClient, change: dict[str, str]
) -> None:
    body = charge_body()
    await post_charge(client, body)

    response = await post_charge(client, {**body, **change})

    assert response.status_code == 409
    assert response.json()["code"] == "charge_mismatch"


async def test_amounts_compare_as_money(client: httpx.AsyncClient) -> None:
    body = charge_body(amount="10.00")
    first = await post_charge(client, body)

    again = await post_charge(client, {**body, "amount": 10})

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


async def test_the_order_id_is_stored_in_one_spelling(client: httpx.AsyncClient) -> None:
    order_id = new_id()
    response = await post_charge(client, charge_body(order_id=order_id.upper()))

    assert response.json()["order_id"] == order_id


async def test_an_unknown_payment_method_names_the_field(client: httpx.AsyncClient) -> None:
    response = await post_charge(client, charge_body(payment_method="pm_card_amex"))

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["payment_method"]


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "0"},
        {"amount": "-1.00"},
        {"amount": "1.005"},
        {"amount": True},
        {"amount": "NaN"},
        {"amount": "10000000000.00"},
        {"amount": None},
        {"order_id": "not-a-uuid"},
        {"user_id": 42},
        {"currency": "usd"},
        {"key": ""},
        {"key": "a\x00b"},
        {"key": "k" * 256},
        {"surprise": "field"},
    ],
)
async def test_bad_charges_are_refused(
    client: httpx.AsyncClient, change: dict[str, object]
) -> None:
    response = await post_charge(client, charge_body(**change))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("headers", [{}, {"X-Service-Token": "guess"}, bearer("admin")])
async def test_charging_needs_the_service_token(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post("/internal/charges", json=charge_body(), headers=headers)

    assert response.status_code == 401
