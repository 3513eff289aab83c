"""What the notifications tests share: event payloads as the producers send them, delivering
events, waiting for outcomes, reading mail, and an SMTP server that collects what it gets."""

from __future__ import annotations

import asyncio
import email.policy
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.smtp import SMTP, Envelope, Session

from harness import SERVICE_TOKEN, bearer

SERVICE = {"X-Service-Token": SERVICE_TOKEN}
ADMIN = bearer("admin")
PASSWORD = "correct horse battery"
WEB = "http://localhost:3000"
_parser = BytesParser(policy=email.policy.default)


def unique_email(prefix: str = "shopper") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


# Payloads exactly as checkout.md has each producer send them.


def registered(user_id: str, email: str, name: str = "Ada Shopper") -> dict[str, Any]:
    return {
        "user_id": user_id,
        "email": email,
        "name": name,
        "verification_link": f"{WEB}/verify-email?token=tok-{uuid.uuid4().hex}",
        "link_hours": 48,
    }


def password_reset(user_id: str, email: str, name: str = "Ada Shopper") -> dict[str, Any]:
    return {
        "user_id": user_id,
        "email": email,
        "name": name,
        "reset_link": f"{WEB}/reset-password?token=tok-{uuid.uuid4().hex}",
        "link_hours": 1,
    }


ADDRESS = {
    "name": "Ada Shopper",
    "line1": "12 Analytical Row",
    "line2": "Flat 3",
    "city": "London",
    "postal_code": "N1 9GU",
    "country": "GB",
}


def order_paid(user_id: str, order_id: str | None = None) -> dict[str, Any]:
    order_id = order_id or str(uuid.uuid4())
    return {
        "order_id": order_id,
        "order_number": f"MRC-{order_id[:8].upper()}",
        "user_id": user_id,
        "total_amount": "61.48",
        "currency": "USD",
        "items": [
            {
                "name": "Espresso Cup",
                "sku": "CUP-ESP-01",
                "quantity": 2,
                "unit_price": "12.50",
                "line_total": "25.00",
            },
            {
                "name": "Moka Pot <3 cups>",
                "sku": "POT-MOKA-3",
                "quantity": 1,
                "unit_price": "36.48",
                "line_total": "36.48",
            },
        ],
        "shipping_address": ADDRESS,
        "payment": {
            "id": str(uuid.uuid4()),
            "payment_method": "pm_card_visa",
            "transaction_id": f"ch_{uuid.uuid4().hex[:24]}",
        },
        "order_url": f"{WEB}/orders/{order_id}",
    }


def order_cancelled(
    user_id: str, *, refunded: bool, reason: str | None = "Changed my mind"
) -> dict[str, Any]:
    order_id = str(uuid.uuid4())
    return {
        "order_id": order_id,
        "order_number": f"MRC-{order_id[:8].upper()}",
        "user_id": user_id,
        "reason": reason,
        "total_amount": "61.48",
        "currency": "USD",
        "refunded": refunded,
        "order_url": f"{WEB}/orders/{order_id}",
    }


def order_shipped(user_id: str) -> dict[str, Any]:
    order_id = str(uuid.uuid4())
    return {
        "order_id": order_id,
        "order_number": f"MRC-{order_id[:8].upper()}",
        "user_id": user_id,
        "shipping_address": ADDRESS,
        "order_url": f"{WEB}/orders/{order_id}",
    }


def payment_refunded(user_id: str) -> dict[str, Any]:
    return {
        "refund_id": str(uuid.uuid4()),
        "payment_id": str(uuid.uuid4()),
        "order_id": str(uuid.uuid4()),
        "user_id": user_id,
        "amount": "12.50",
        "currency": "USD",
        "refunded_total": "12.50",
        "remaining": "48.98",
        "reason": "One cup arrived broken",
    }


def every_event(user_id: str, email: str) -> list[tuple[str, dict[str, Any]]]:
    """One event of each topic for one user (the user.* ones carry the address)."""
    return [
        ("user.registered", registered(user_id, email)),
        ("user.verification_requested", registered(user_id, email)),
        ("user.password_reset_requested", password_reset(user_id, email)),
        ("order.paid", order_paid(user_id)),
        ("order.cancelled", order_cancelled(user_id, refunded=True)),
        ("order.shipped", order_shipped(user_id)),
        ("payment.refunded", payment_refunded(user_id)),
    ]


async def deliver(
    client: httpx.AsyncClient, topic: str, payload: dict[str, Any], event_id: str | None = None
) -> httpx.Response:
    """POST one event as a producer's relay does."""
    envelope = {
        "id": event_id or str(uuid.uuid4()),
        "topic": topic,
        "source": topic.split(".")[0] + "s",
        "payload": payload,
    }
    return await client.post("/internal/events", json=envelope, headers=SERVICE)


async def eventually(
    check: Callable[[], Awaitable[Any]], *, timeout: float = 15.0, what: str = "condition"
) -> Any:
    """The first truthy result of `check`, polled until `timeout`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def notifications_of(client: httpx.AsyncClient, user_id: str) -> list[dict[str, Any]]:
    response = await client.get(
        f"/api/notifications/user/{user_id}", params={"limit": 100}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def settled(
    client: httpx.AsyncClient, user_id: str, count: int, *, timeout: float = 15.0
) -> list[dict[str, Any]]:
    """The user's `count` notifications once none is pending any more."""

    async def check() -> list[dict[str, Any]] | None:
        items = await notifications_of(client, user_id)
        if len(items) >= count and all(item["status"] != "pending" for item in items):
            return items
        return None

    result: list[dict[str, Any]] = await eventually(
        check, timeout=timeout, what=f"{count} settled notifications of {user_id}"
    )
    return result


def mailbox_messages(mailbox: Path, to: str) -> list[EmailMessage]:
    messages = []
    for path in mailbox.glob("*.eml") if mailbox.is_dir() else []:
        message = _parser.parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)
        if message["To"] == to:
            messages.append(message)
    return messages


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


@dataclass
class CollectingHandler:
    """An SMTP server's handler: keeps every message it accepts; answers `451` to the first
    `refuse` deliveries (or to all while `refuse_all`), as a server does under load."""

    refuse: int = 0
    refuse_all: bool = False
    messages: list[EmailMessage] = field(default_factory=list)
    refused: int = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_all or self.refused < self.refuse:
            self.refused += 1
            return "451 4.3.0 Try again later"
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        message = _parser.parsebytes(content)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 2.0.0 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in list(self.messages) if m["To"] == address]


async def register_user(users_url: str, name: str = "Ada Shopper") -> tuple[str, str]:
    """A real account on the users service: (user id, email)."""
    email = unique_email()
    async with httpx.AsyncClient(base_url=users_url) as users:
        response = await users.post(
            "/api/auth/register", json={"email": email, "password": PASSWORD, "name": name}
        )
    assert response.status_code == 201, response.text
    return str(response.json()["user"]["id"]), email
