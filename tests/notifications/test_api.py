"""The public API: an admin's notifications, reading them, and who may read which."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from harness import Running, bearer

from .conftest import Service
from .support import (
    ADMIN,
    deliver,
    html_of,
    mailbox_messages,
    order_paid,
    register_user,
    registered,
    settled,
    text_of,
    unique_email,
)

FIELDS = {
    "id",
    "user_id",
    "type",
    "template",
    "title",
    "message",
    "status",
    "attempts",
    "sent_at",
    "created_at",
    "last_error",
}


async def post(client: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> httpx.Response:
    return await client.post("/api/notifications", json=body, headers=headers or ADMIN)


async def own_notification(client: httpx.AsyncClient) -> tuple[str, dict[str, Any]]:
    """A customer with one notification: (user id, the notification)."""
    user_id = str(uuid.uuid4())
    await deliver(client, "user.registered", registered(user_id, unique_email()))
    [notification] = await settled(client, user_id, 1)
    return user_id, notification


class TestAdminSends:
    async def test_free_words_by_email_go_to_the_users_address(
        self, service: Service, users_service: Running
    ) -> None:
        user_id, email = await register_user(users_service.url)
        body = {
            "user_id": user_id,
            "type": "email",
            "title": "Your parcel",
            "message": "It left the warehouse <today>.\n\nThank you!",
        }
        response = await post(service.client, body)
        assert response.status_code == 202
        accepted = response.json()
        assert set(accepted) == FIELDS
        assert accepted["user_id"] == user_id
        assert accepted["type"] == "email"
        assert accepted["template"] is None
        assert accepted["title"] == "Your parcel"
        assert accepted["message"] == body["message"]
        assert accepted["attempts"] == 0
        assert accepted["created_at"].endswith("Z")

        [sent] = await settled(service.client, user_id, 1)
        assert sent["id"] == accepted["id"]
        assert sent["status"] == "sent"
        [message] = mailbox_messages(service.settings.mailbox_dir, email)
        assert message["Subject"] == "Your parcel"
        assert text_of(message) == body["message"] + "\n"
        assert "It left the warehouse &lt;today&gt;." in html_of(message)

    async def test_a_template_with_its_data(self, service: Service, users_service: Running) -> None:
        user_id, email = await register_user(users_service.url)
        data = order_paid(user_id)
        body = {"user_id": user_id, "type": "email", "template": "order_confirmation", "data": data}
        response = await post(service.client, body)
        assert response.status_code == 202
        assert response.json()["template"] == "order_confirmation"
        assert response.json()["title"] == f"Your Mercato order {data['order_number']} is confirmed"
        await settled(service.client, user_id, 1)
        [message] = mailbox_messages(service.settings.mailbox_dir, email)
        assert "Total: 61.48 USD" in text_of(message)

    async def test_an_unknown_template_is_422(self, client: httpx.AsyncClient) -> None:
        body = {"user_id": str(uuid.uuid4()), "type": "email", "template": "lottery", "data": {}}
        response = await post(client, body)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "template"

    async def test_data_missing_what_the_template_needs_is_422_naming_it(
        self, client: httpx.AsyncClient
    ) -> None:
        user_id = str(uuid.uuid4())
        body = {
            "user_id": user_id,
            "type": "email",
            "template": "password_reset",
            "data": {"name": "Ann", "link_hours": 1},
        }
        response = await post(client, body)
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["data.reset_link"]
        no_data = await post(client, {**body, "data": None})
        assert no_data.status_code == 422
        assert {e["field"] for e in no_data.json()["errors"]} == {
            "data.name",
            "data.link_hours",
            "data.reset_link",
        }
        listed = await client.get(f"/api/notifications/user/{user_id}", headers=ADMIN)
        assert listed.json()["total"] == 0

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"title": "Hi"}, "message"),
            ({"message": "Hi"}, "title"),
            ({"title": "Hi", "message": "Hi", "data": {}}, "data"),
            ({"template": "welcome", "data": {}, "title": "Hi"}, "title"),
            ({"title": "", "message": "Hi"}, "title"),
            ({"title": "Hi", "message": "Hi", "type": "fax"}, "type"),
            ({"title": "Hi", "message": "Hi", "user_id": "42"}, "user_id"),
            ({"title": "Hi", "message": "Hi", "priority": "high"}, "priority"),
        ],
    )
    async def test_a_malformed_body_is_422_naming_the_field(
        self, client: httpx.AsyncClient, body: dict[str, Any], field: str
    ) -> None:
        response = await post(client, {"user_id": str(uuid.uuid4()), "type": "email", **body})
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == field

    @pytest.mark.parametrize(("channel", "reason"), [("sms", "SMS"), ("push", "push")])
    async def test_sms_and_push_fail_at_once_for_want_of_a_provider(
        self, client: httpx.AsyncClient, channel: str, reason: str
    ) -> None:
        user_id = str(uuid.uuid4())
        body = {"user_id": user_id, "type": channel, "title": "Sale", "message": "50% off"}
        response = await post(client, body)
        assert response.status_code == 202
        accepted = response.json()
        assert accepted["type"] == channel
        assert accepted["status"] == "failed"
        assert accepted["attempts"] == 0
        assert accepted["last_error"] == f"no {reason} provider is configured"
        stored = await client.get(f"/api/notifications/{accepted['id']}", headers=ADMIN)
        assert stored.json() == accepted

    async def test_a_templated_sms_carries_the_text(self, client: httpx.AsyncClient) -> None:
        user_id = str(uuid.uuid4())
        data = registered(user_id, unique_email())
        body = {"user_id": user_id, "type": "sms", "template": "welcome", "data": data}
        accepted = (await post(client, body)).json()
        assert accepted["status"] == "failed"
        assert data["verification_link"] in accepted["message"]

    async def test_customers_may_not_send(self, client: httpx.AsyncClient) -> None:
        body = {"user_id": str(uuid.uuid4()), "type": "email", "title": "x", "message": "y"}
        forbidden = await client.post("/api/notifications", json=body, headers=bearer())
        assert forbidden.status_code == 403
        anonymous = await client.post("/api/notifications", json=body)
        assert anonymous.status_code == 401
        # Refused before the body is even looked at.
        assert (await client.post("/api/notifications", json={})).status_code == 401


class TestReading:
    async def test_owner_and_admin_read_a_notification_another_customer_gets_404(
        self, client: httpx.AsyncClient
    ) -> None:
        user_id, notification = await own_notification(client)
        path = f"/api/notifications/{notification['id']}"
        mine = await client.get(path, headers=bearer(user_id=user_id))
        assert mine.status_code == 200
        assert mine.json() == notification
        assert (await client.get(path, headers=ADMIN)).json() == notification
        other = await client.get(path, headers=bearer())
        assert other.status_code == 404
        assert other.json()["code"] == "notification_not_found"
        unknown = await client.get(f"/api/notifications/{uuid.uuid4()}", headers=ADMIN)
        assert unknown.status_code == 404
        assert (await client.get(path)).status_code == 401

    async def test_a_users_list_is_theirs_and_the_admins_only(
        self, client: httpx.AsyncClient
    ) -> None:
        user_id, notification = await own_notification(client)
        path = f"/api/notifications/user/{user_id}"
        mine = await client.get(path, headers=bearer(user_id=user_id))
        assert mine.status_code == 200
        assert mine.json() == {
            "items": [notification],
            "total": 1,
            "page": 1,
            "limit": 20,
            "pages": 1,
        }
        assert (await client.get(path, headers=ADMIN)).json()["total"] == 1
        other = await client.get(path, headers=bearer())
        assert other.status_code == 404
        assert (await client.get(path)).status_code == 401

    async def test_the_callers_list_holds_only_theirs_newest_first(
        self, client: httpx.AsyncClient
    ) -> None:
        user_id = str(uuid.uuid4())
        for n in range(3):
            body = {"user_id": user_id, "type": "push", "title": f"n{n}", "message": "m"}
            assert (await post(client, body)).status_code == 202
        await own_notification(client)  # someone else's
        me = bearer(user_id=user_id)
        first = await client.get("/api/notifications", params={"limit": 2}, headers=me)
        assert first.status_code == 200
        page = first.json()
        assert (page["total"], page["pages"], page["limit"]) == (3, 2, 2)
        assert [n["title"] for n in page["items"]] == ["n2", "n1"]
        second = await client.get("/api/notifications", params={"limit": 2, "page": 2}, headers=me)
        assert [n["title"] for n in second.json()["items"]] == ["n0"]
        assert {n["user_id"] for n in page["items"] + second.json()["items"]} == {user_id}

    async def test_the_admins_list_holds_everyones(self, client: httpx.AsyncClient) -> None:
        first, _ = await own_notification(client)
        second, _ = await own_notification(client)
        listed = await client.get("/api/notifications", params={"limit": 100}, headers=ADMIN)
        assert listed.status_code == 200
        owners = {n["user_id"] for n in listed.json()["items"]}
        assert {first, second} <= owners
        assert (await client.get("/api/notifications")).status_code == 401

    @pytest.mark.parametrize(
        "path", ["/api/notifications/not-a-uuid", "/api/notifications/user/not-a-uuid"]
    )
    async def test_an_id_that_is_no_uuid_is_422(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.get(path, headers=ADMIN)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"

    @pytest.mark.parametrize("params", [{"page": 0}, {"limit": 0}, {"limit": 101}, {"page": "x"}])
    async def test_bad_paging_is_422(
        self, client: httpx.AsyncClient, params: dict[str, Any]
    ) -> None:
        response = await client.get("/api/notifications", params=params, headers=ADMIN)
        assert response.status_code == 422


class TestMetrics:
    async def test_notifications_are_counted(self, client: httpx.AsyncClient) -> None:
        await own_notification(client)
        text = (await client.get("/metrics")).text
        assert 'mercato_notifications_created_total{type="email"}' in text
        assert 'mercato_notifications_sent_total{type="email"}' in text
