"""Builders the products tests share: tokens, clients, categories and products."""

from __future__ import annotations

import itertools
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from sqlalchemy import Table, select, update

from mercato.kit.auth import KeySource
from mercato.kit.types import utcnow
from mercato.products.models import Product, Reservation

KID = "products-test-key"
SIGNING_KEY = Ed25519PrivateKey.generate()
SERVICE_TOKEN = "products-test-service-token"
_addresses = itertools.count(1)
_P: Table = Product.__table__  # type: ignore[assignment]
_R: Table = Reservation.__table__  # type: ignore[assignment]


def key_source() -> KeySource:
    return KeySource({KID: SIGNING_KEY.public_key()})


def access_token(role: str = "customer", user_id: str | None = None) -> str:
    now = int(time.time())
    claims = {
        "sub": user_id or str(uuid.uuid4()),
        "role": role,
        "typ": "access",
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 900,
        "iss": "mercato-users",
        "aud": "mercato",
    }
    return jwt.encode(claims, SIGNING_KEY, algorithm="EdDSA", headers={"kid": KID})


def bearer(role: str = "customer") -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token(role)}"}


ADMIN = bearer("admin")
SERVICE = {"X-Service-Token": SERVICE_TOKEN}


def client_for(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    n = next(_addresses)
    transport = httpx.ASGITransport(app, client=(f"10.2.{n // 256 % 256}.{n % 256}", 40000))
    return httpx.AsyncClient(
        transport=transport, base_url="http://products.test", headers=headers or {}
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def make_category(
    client: httpx.AsyncClient, name: str | None = None, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/categories", json={"name": name or unique("Category"), **fields}, headers=ADMIN
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def make_product(
    client: httpx.AsyncClient,
    *,
    name: str | None = None,
    price: str | Decimal = "19.99",
    stock: int = 10,
    **fields: Any,
) -> dict[str, Any]:
    payload = {
        "name": name or unique("Product"),
        "price": str(price),
        "stock": stock,
        "sku": fields.pop("sku", unique("SKU")),
        **fields,
    }
    response = await client.post("/api/products", json=payload, headers=ADMIN)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def reserve(
    client: httpx.AsyncClient,
    lines: list[tuple[str, int]],
    order_id: str | None = None,
    **extra: Any,
) -> httpx.Response:
    return await client.post(
        "/internal/reservations",
        json={
            "order_id": order_id or str(uuid.uuid4()),
            "lines": [{"product_id": p, "quantity": q} for p, q in lines],
            **extra,
        },
        headers=SERVICE,
    )


async def levels(app: FastAPI, product_id: str) -> tuple[int, int, int]:
    """(stock, reserved, sold) as the products database holds them."""
    async with app.state.db.read_sessions() as session:
        row = (
            await session.execute(
                select(_P.c.stock, _P.c.reserved, _P.c.sold).where(_P.c.id == product_id)
            )
        ).one()
    return row.stock, row.reserved, row.sold


async def lapse(app: FastAPI, *order_ids: str) -> None:
    """As if the reservations' time had run out a minute ago."""
    async with app.state.db.sessions.begin() as session:
        await session.execute(
            update(_R)
            .where(_R.c.order_id.in_(order_ids))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
