"""What a registered shopper receives about their orders: one email when an order is paid (the
receipt), when it ships, when it is cancelled, and for the refund that follows."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from typing import Any

import httpx

from harness import Stack

from .support import (
    VISA,
    Shopper,
    advance,
    cancel,
    eventually,
    make_product,
    placed,
    unique,
)


async def _register(stack: Stack) -> tuple[Shopper, str]:
    email = f"{unique('shopper')}@example.com"
    async with httpx.AsyncClient(base_url=stack.url("users"), timeout=30) as users:
        response = await users.post(
            "/api/auth/register",
            json={"email": email, "password": "correct horse battery", "name": "Ada Lovelace"},
        )
    assert response.status_code == 201, response.text
    return Shopper(response.json()["user"]["id"]), email


async def _sent(stack: Stack, shopper: Shopper) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=stack.url("notifications"), timeout=30) as client:
        response = await client.get("/api/notifications?limit=100", headers=shopper.headers)
    assert response.status_code == 200, response.text
    return [n for n in response.json()["items"] if n["status"] == "sent"]


def _templates(notifications: list[dict[str, Any]], order_number: str) -> list[str]:
    return sorted(n["template"] for n in notifications if order_number in n["message"])


async def test_a_shopper_is_told_about_each_step_of_their_orders_once(
    stack: Stack, orders: httpx.AsyncClient, products: httpx.AsyncClient
) -> None:
    product = await make_product(products, stock=5, price="15.00")
    shopper, email = await _register(stack)
    shipped = await placed(orders, shopper, [(product["id"], 1)], VISA)
    dropped = await placed(orders, shopper, [(product["id"], 2)], VISA)
    await advance(orders, shipped["id"], to="shipped")
    assert (await cancel(orders, dropped["id"], shopper.headers)).status_code == 200

    expected = {
        shipped["order_number"]: ["order_confirmation", "order_shipped"],
        dropped["order_number"]: ["order_cancelled", "order_confirmation"],
    }
    sent = await eventually(
        lambda: _sent(stack, shopper),
        lambda found: (
            all(_templates(found, n) == t for n, t in expected.items())
            and any(n["template"] == "refund_receipt" for n in found)
        ),
        within=20,
    )

    [refund] = [n for n in sent if n["template"] == "refund_receipt"]
    assert "30.00" in refund["message"]
    [receipt] = [
        n
        for n in sent
        if n["template"] == "order_confirmation" and shipped["order_number"] in n["message"]
    ]
    assert "15.00" in receipt["message"]
    mail = stack.settings.mailbox_dir / f"{receipt['id']}.eml"
    message = BytesParser(policy=policy.default).parsebytes(mail.read_bytes())
    assert message["To"] == email
    assert shipped["order_number"] in str(message["Subject"])
