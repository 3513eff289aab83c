"""Builders the payments tests share: clients, charges, refunds, and what the database holds."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from harness import SERVICE_TOKEN
from mercato.payments.models import Payment, Refund, outbox

SERVICE = {"X-Service-Token": SERVICE_TOKEN}


def client_for(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://payments.test", headers=headers or {}
    )


def new_id() -> str:
    return str(uuid.uuid4())


def charge_body(**fields: Any) -> dict[str, Any]:
    return {
        "key": f"order:{new_id()}",
        "order_id": new_id(),
        "user_id": new_id(),
        "amount": "10.00",
        "currency": "USD",
        "payment_method": "pm_card_visa",
        **fields,
    }


async def post_charge(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await client.post("/internal/charges", json=body, headers=SERVICE)


async def make_payment(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """A payment charged through the internal API (as the orders service would)."""
    response = await post_charge(client, charge_body(**fields))
    assert response.status_code == 201, response.text
    payment: dict[str, Any] = response.json()
    return payment


async def refund_order(
    client: httpx.AsyncClient,
    order_id: str,
    amount: str | None = None,
    *,
    key: str | None = None,
    reason: str | None = None,
) -> httpx.Response:
    body = {"key": key or f"refund:{new_id()}", "order_id": order_id, "amount": amount}
    return await client.post("/internal/refunds", json={**body, "reason": reason}, headers=SERVICE)


async def payment_rows(app: FastAPI, order_id: str) -> list[dict[str, Any]]:
    """The order's payments as the database holds them."""
    async with app.state.db.read_sessions() as session:
        rows = await session.execute(select(Payment.__table__).where(Payment.order_id == order_id))
        return [dict(row._mapping) for row in rows]


async def refund_count(app: FastAPI, payment_id: str) -> int:
    async with app.state.db.read_sessions() as session:
        query = select(func.count()).where(Refund.payment_id == payment_id)
        return int((await session.execute(query)).scalar_one())


async def refund_events(app: FastAPI, payment_id: str) -> list[dict[str, Any]]:
    """The `payment.refunded` events of the payment in the outbox, oldest first."""
    async with app.state.db.read_sessions() as session:
        query = (
            select(outbox.c.topic, outbox.c.payload)
            .where(outbox.c.topic == "payment.refunded")
            .order_by(outbox.c.created_at, outbox.c.id)
        )
        rows = (await session.execute(query)).all()
    return [row.payload for row in rows if row.payload["payment_id"] == payment_id]
