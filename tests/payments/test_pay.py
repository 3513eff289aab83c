"""`POST /api/payments` as far as the payments service decides it alone: its input, its
authentication, and a 503 when the orders service (which runs the charge) cannot be reached.
Paying through a running orders service is tested end to end."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from harness import bearer

from .support import new_id


async def pay(client: httpx.AsyncClient, body: Any, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/api/payments", json=body, headers=headers)


def valid_body() -> dict[str, str]:
    return {"order_id": new_id(), "payment_method": "pm_card_visa"}


async def test_the_idempotency_key_is_required(client: httpx.AsyncClient) -> None:
    response = await pay(client, valid_body(), bearer())

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]


@pytest.mark.parametrize("key", ["", "k" * 256, "naïve"])
async def test_a_malformed_key_is_refused(client: httpx.AsyncClient, key: str) -> None:
    headers = {**bearer(), "Idempotency-Key": key}
    response = await client.post(
        "/api/payments",
        json=valid_body(),
        headers={k.encode(): v.encode() for k, v in headers.items()},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


@pytest.mark.parametrize(
    "body",
    [
        {"order_id": "not-a-uuid", "payment_method": "pm_card_visa"},
        {"payment_method": "pm_card_visa"},
        {"order_id": new_id()},
        {"order_id": new_id(), "payment_method": "pm_card_visa", "amount": "0.01"},
        {"order_id": new_id(), "payment_method": "pm_card_visa\x00"},
        {"order_id": None, "payment_method": "pm_card_visa"},
        [],
    ],
)
async def test_bad_bodies_are_refused(client: httpx.AsyncClient, body: Any) -> None:
    response = await pay(client, body, {**bearer(), "Idempotency-Key": new_id()})

    assert response.status_code == 422, response.text


async def test_an_unknown_payment_method_names_the_field(client: httpx.AsyncClient) -> None:
    body = {"order_id": new_id(), "payment_method": "pm_card_bitcoin"}
    response = await pay(client, body, {**bearer(), "Idempotency-Key": new_id()})

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["payment_method"]


async def test_malformed_json_is_a_bad_request(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/payments",
        content=b'{"order_id": ',
        headers={**bearer(), "Idempotency-Key": new_id(), "Content-Type": "application/json"},
    )

    assert response.status_code == 400


async def test_paying_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await pay(client, valid_body(), {"Idempotency-Key": new_id()})

    assert response.status_code == 401


async def test_an_unreachable_orders_service_is_a_503_and_frees_the_key(
    client: httpx.AsyncClient,
) -> None:
    headers = {**bearer(), "Idempotency-Key": new_id()}
    body = valid_body()

    first = await pay(client, body, headers)
    again = await pay(client, body, headers)

    for response in (first, again):
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "orders" in response.json()["detail"]
    # Not replayed and not "in flight": the failed attempt released its key.
    assert "idempotent-replayed" not in again.headers
