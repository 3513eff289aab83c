"""Checkout end to end: a real `mercato up`, a new shopper going through the gateway only,
from registration to the emails of an order paid, cancelled, refunded and shipped."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest

from mercato.kit.settings import DEV_SERVICE_TOKEN
from mercato.products.demo_catalog import PRODUCTS, DemoProduct

from .processes import eventually, mailbox_of, text_of, wait_for_email
from .running import RunningStack, mercato
from .test_up import PASSWORD, create_admin, gateway, unique_email

pytestmark = pytest.mark.e2e

SERVICES = {"users", "products", "orders", "payments", "notifications"}
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}
# Each test buys a demo product of its own, so no test reads stock another one moved.
IN_STOCK = [product for product in PRODUCTS if product.stock >= 10]


@dataclass
class Shopper:
    email: str
    id: str
    headers: dict[str, str]


@pytest.fixture(scope="module")
def catalog(stack: RunningStack) -> RunningStack:
    """`up` loads the demo catalog into an empty database; on a database the run shares
    (PostgreSQL) other tests may have filled it first, so `seed` makes sure of it."""
    seeded = subprocess.run(
        mercato("seed"), env=stack.env, capture_output=True, text=True, timeout=60
    )
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    return stack


@pytest.fixture
def client(catalog: RunningStack) -> Iterator[httpx.Client]:
    with gateway(catalog) as http:
        yield http


def register(client: httpx.Client, tag: str = "shopper", name: str = "Ada Shopper") -> Shopper:
    email = unique_email(tag)
    answer = client.post(
        "/api/auth/register", json={"email": email, "password": PASSWORD, "name": name}
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return Shopper(email, body["user"]["id"], {"Authorization": f"Bearer {body['access_token']}"})


def admin_of(stack: RunningStack, client: httpx.Client) -> dict[str, str]:
    email = unique_email("admin")
    created = create_admin(stack, email, PASSWORD)
    assert created.returncode == 0, created.stdout + created.stderr
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def find_product(client: httpx.Client, demo: DemoProduct) -> dict[str, Any]:
    found = client.get("/api/products", params={"q": demo.sku})
    assert found.status_code == 200, found.text
    [product] = [p for p in found.json()["items"] if p["sku"] == demo.sku]
    return dict(product)


def stock_of(client: httpx.Client, product_id: str) -> int:
    answer = client.get(f"/api/products/{product_id}")
    assert answer.status_code == 200, answer.text
    stock: int = answer.json()["stock"]
    return stock


def place(
    client: httpx.Client, shopper: Shopper, product_id: str, quantity: int, method: str
) -> dict[str, Any]:
    answer = client.post(
        "/api/orders",
        json={
            "items": [{"product_id": product_id, "quantity": quantity}],
            "shipping_address": ADDRESS,
            "payment_method": method,
        },
        headers=shopper.headers,
    )
    assert answer.status_code == 201, answer.text
    order: dict[str, Any] = answer.json()
    return order


def notifications_of(client: httpx.Client, shopper: Shopper) -> list[dict[str, Any]]:
    answer = client.get("/api/notifications", params={"limit": 100}, headers=shopper.headers)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_health_reports_every_service_ok(catalog: RunningStack) -> None:
    with gateway(catalog) as client:
        answer = client.get("/health")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "ok"
    assert set(body["services"]) == SERVICES
    assert {name: s["status"] for name, s in body["services"].items()} == dict.fromkeys(
        SERVICES, "ok"
    )


def test_a_new_shopper_buys_then_cancels_and_is_refunded(
    catalog: RunningStack, client: httpx.Client
) -> None:
    mailbox = mailbox_of(catalog.env)
    shopper = register(client, name="Ada Shopper")
    welcome = wait_for_email(mailbox, shopper.email, "Welcome to Mercato")
    assert "/verify-email?token=" in text_of(welcome)

    # Browsing: the catalog lists products in stock, and the product page shows its stock.
    browsed = client.get("/api/products", params={"in_stock": "true", "limit": 100})
    assert browsed.status_code == 200, browsed.text
    assert browsed.json()["total"] > 0
    product = find_product(client, IN_STOCK[0])
    before = stock_of(client, product["id"])
    assert before >= 2

    order = place(client, shopper, product["id"], 2, "pm_card_visa")
    total = Decimal(product["price"]) * 2
    assert order["status"] == "paid"
    assert order["payment"]["status"] == "succeeded"
    assert order["payment"]["failure_code"] is None
    assert Decimal(order["total_amount"]) == total
    assert [(i["product_id"], i["quantity"]) for i in order["items"]] == [(product["id"], 2)]
    assert stock_of(client, product["id"]) == before - 2

    number = order["order_number"]
    confirmation = wait_for_email(mailbox, shopper.email, f"order {number} is confirmed")
    text = text_of(confirmation)
    assert number in text
    assert f"Total: {total:.2f} USD" in text

    cancelled = client.post(
        f"/api/orders/{order['id']}/cancel",
        json={"reason": "Changed my mind"},
        headers=shopper.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert stock_of(client, product["id"]) == before
    payment = client.get(f"/api/payments/{order['payment']['id']}", headers=shopper.headers)
    assert payment.status_code == 200, payment.text
    assert payment.json()["status"] == "refunded"
    assert Decimal(payment.json()["refunded_amount"]) == total
    assert [Decimal(r["amount"]) for r in payment.json()["refunds"]] == [total]
    again = client.post(f"/api/orders/{order['id']}/cancel", headers=shopper.headers)
    assert again.status_code == 409

    notice = wait_for_email(mailbox, shopper.email, f"order {number} was cancelled")
    assert "Changed my mind" in text_of(notice)
    receipt = wait_for_email(mailbox, shopper.email, f"refund of {total:.2f} USD")
    assert order["id"] in text_of(receipt)

    def all_sent() -> list[dict[str, Any]] | None:
        items = notifications_of(client, shopper)
        return items if len(items) == 4 and all(n["status"] == "sent" for n in items) else None

    sent = eventually(all_sent, timeout=30, what="four notifications sent")
    assert sorted(n["template"] for n in sent) == [
        "order_cancelled",
        "order_confirmation",
        "refund_receipt",
        "welcome",
    ]
    assert {n["type"] for n in sent} == {"email"}
    assert {n["user_id"] for n in sent} == {shopper.id}


def test_a_declined_card_then_a_payment_with_an_idempotency_key(
    catalog: RunningStack, client: httpx.Client
) -> None:
    shopper = register(client)
    product = find_product(client, IN_STOCK[1])
    before = stock_of(client, product["id"])

    order = place(client, shopper, product["id"], 1, "pm_card_chargeDeclined")
    assert order["status"] == "pending"
    assert order["payment"]["status"] == "failed"
    assert order["payment"]["failure_code"] == "card_declined"
    assert stock_of(client, product["id"]) == before - 1  # held while the shopper retries

    key = {"Idempotency-Key": f"pay-{uuid.uuid4()}", **shopper.headers}
    body = {"order_id": order["id"], "payment_method": "pm_card_visa"}
    paid = client.post("/api/payments", json=body, headers=key)
    assert paid.status_code == 201, paid.text
    payment = paid.json()
    assert payment["status"] == "succeeded"
    assert payment["order_id"] == order["id"]
    assert payment["amount"] == order["total_amount"]
    assert "idempotent-replayed" not in paid.headers
    now = client.get(f"/api/orders/{order['id']}", headers=shopper.headers).json()
    assert now["status"] == "paid"
    assert now["payment"]["id"] == payment["id"]

    replay = client.post("/api/payments", json=body, headers=key)
    assert replay.status_code == 201, replay.text
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == payment

    listed = client.get("/api/payments", headers=shopper.headers).json()["items"]
    assert sorted((p["status"], p["failure_code"]) for p in listed) == [
        ("failed", "card_declined"),
        ("succeeded", None),
    ]
    assert stock_of(client, product["id"]) == before - 1
    mailbox = mailbox_of(catalog.env)
    wait_for_email(mailbox, shopper.email, f"order {order['order_number']} is confirmed")


def test_nobody_reaches_another_shoppers_checkout(
    catalog: RunningStack, client: httpx.Client
) -> None:
    owner = register(client, "owner")
    other = register(client, "other")
    product = find_product(client, IN_STOCK[2])
    order = place(client, owner, product["id"], 1, "pm_card_visa")
    payment_id = order["payment"]["id"]
    notification = eventually(
        lambda: notifications_of(client, owner), timeout=30, what="the owner's notifications"
    )[0]

    for path in (
        f"/api/orders/{order['id']}",
        f"/api/payments/{payment_id}",
        f"/api/notifications/{notification['id']}",
    ):
        answer = client.get(path, headers=other.headers)
        assert answer.status_code == 404, (path, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    stolen = client.post(f"/api/orders/{order['id']}/cancel", headers=other.headers)
    assert stolen.status_code == 404
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    paid_by_other = client.post(
        "/api/payments",
        json={"order_id": order["id"], "payment_method": "pm_card_visa"},
        headers={**other.headers, **key},
    )
    assert paid_by_other.status_code == 404, paid_by_other.text
    assert [o["id"] for o in client.get("/api/orders", headers=other.headers).json()["items"]] == []
    assert client.get("/api/payments", headers=other.headers).json()["items"] == []

    # Admin routes, for a customer (even the order's owner).
    forbidden = [
        client.patch(
            f"/api/orders/{order['id']}/status",
            json={"status": "processing"},
            headers=owner.headers,
        ),
        client.post(
            f"/api/payments/{payment_id}/refund", json={}, headers={**owner.headers, **key}
        ),
        client.post(
            "/api/notifications",
            json={"user_id": other.id, "type": "email", "title": "Hi", "message": "Spam"},
            headers=owner.headers,
        ),
    ]
    assert [answer.status_code for answer in forbidden] == [403, 403, 403]
    mine = client.get(f"/api/orders/{order['id']}", headers=owner.headers).json()
    assert mine["status"] == "paid"

    # Internal routes are never routed, even with the right service credential.
    token = {"X-Service-Token": DEV_SERVICE_TOKEN}
    internal = [
        ("POST", f"/internal/orders/{order['id']}/payments"),
        ("POST", "/internal/charges"),
        ("POST", "/internal/refunds"),
        ("POST", "/internal/events"),
        ("GET", f"/internal/users/{owner.id}"),
    ]
    for method, path in internal:
        answer = client.request(method, path, json={}, headers=token)
        assert answer.status_code == 404, (method, path, answer.text)
    assert (
        client.get(f"/api/payments/{payment_id}", headers=owner.headers).json()["status"]
        == "succeeded"
    )


def test_an_admin_ships_the_order_and_the_shopper_is_told(
    catalog: RunningStack, client: httpx.Client
) -> None:
    shopper = register(client)
    admin = admin_of(catalog, client)
    product = find_product(client, IN_STOCK[3])
    order = place(client, shopper, product["id"], 1, "pm_card_visa")
    assert order["status"] == "paid"
    path = f"/api/orders/{order['id']}/status"

    backwards = client.patch(path, json={"status": "delivered"}, headers=admin)
    assert backwards.status_code == 409
    for status in ("processing", "shipped"):
        moved = client.patch(path, json={"status": status}, headers=admin)
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == status

    seen = client.get(f"/api/orders/{order['id']}", headers=shopper.headers).json()
    assert [h["status"] for h in seen["status_history"]] == [
        "pending",
        "paid",
        "processing",
        "shipped",
    ]
    too_late = client.post(f"/api/orders/{order['id']}/cancel", headers=shopper.headers)
    assert too_late.status_code == 409
    mailbox = mailbox_of(catalog.env)
    shipped = wait_for_email(mailbox, shopper.email, f"order {order['order_number']} has shipped")
    text = text_of(shipped)
    assert ADDRESS["line1"] in text
    assert f"/orders/{order['id']}" in text
