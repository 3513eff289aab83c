"""POST /internal/events: each topic of checkout.md becomes exactly one email with the right
content, however many times its event is delivered."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from harness import Running

from .conftest import Service, StartService
from .support import (
    CollectingHandler,
    deliver,
    every_event,
    html_of,
    mailbox_messages,
    notifications_of,
    order_cancelled,
    order_paid,
    order_shipped,
    password_reset,
    payment_refunded,
    register_user,
    registered,
    settled,
    text_of,
    unique_email,
)


async def only_email(service: Service, user_id: str, to: str) -> tuple[dict[str, Any], Any]:
    """The user's one notification, sent, and the one `.eml` written for it."""
    [notification] = await settled(service.client, user_id, 1)
    assert notification["status"] == "sent", notification
    [message] = mailbox_messages(service.settings.mailbox_dir, to)
    return notification, message


class TestAccountEmails:
    async def test_registration_sends_the_welcome_with_its_verification_link(
        self, service: Service
    ) -> None:
        user_id, email = str(uuid.uuid4()), unique_email()
        payload = registered(user_id, email, name="Grace")
        response = await deliver(service.client, "user.registered", payload)
        assert response.status_code == 200
        assert response.json() == {"status": "handled"}

        notification, message = await only_email(service, user_id, email)
        assert notification["type"] == "email"
        assert notification["template"] == "welcome"
        assert notification["attempts"] == 1
        assert notification["sent_at"] is not None
        assert notification["last_error"] is None
        assert message["Subject"] == notification["title"]
        assert "Welcome" in message["Subject"]
        assert "Hello Grace" in text_of(message)
        assert payload["verification_link"] in text_of(message)
        assert notification["message"] == text_of(message)
        assert f'href="{payload["verification_link"]}"' in html_of(message)
        assert "48 hours" in text_of(message)
        # The `.eml` file is named after the notification.
        assert (service.settings.mailbox_dir / f"{notification['id']}.eml").is_file()

    async def test_a_verification_request_sends_the_link_again(self, service: Service) -> None:
        user_id, email = str(uuid.uuid4()), unique_email()
        payload = registered(user_id, email)
        await deliver(service.client, "user.verification_requested", payload)
        notification, message = await only_email(service, user_id, email)
        assert notification["template"] == "email_verification"
        assert "Confirm your email" in message["Subject"]
        assert payload["verification_link"] in text_of(message)

    async def test_a_password_reset_sends_the_reset_link(self, service: Service) -> None:
        user_id, email = str(uuid.uuid4()), unique_email()
        payload = password_reset(user_id, email)
        await deliver(service.client, "user.password_reset_requested", payload)
        notification, message = await only_email(service, user_id, email)
        assert notification["template"] == "password_reset"
        assert "Reset" in message["Subject"]
        assert payload["reset_link"] in text_of(message)
        assert "for 1 hour." in text_of(message)
        assert f'href="{payload["reset_link"]}"' in html_of(message)


class TestOrderEmails:
    """Order events carry no address: the users service is asked for it."""

    async def test_a_paid_order_sends_its_confirmation_and_receipt(
        self, service: Service, users_service: Running
    ) -> None:
        user_id, email = await register_user(users_service.url)
        payload = order_paid(user_id)
        await deliver(service.client, "order.paid", payload)
        notification, message = await only_email(service, user_id, email)
        assert notification["template"] == "order_confirmation"
        assert message["Subject"] == f"Your Mercato order {payload['order_number']} is confirmed"
        text = text_of(message)
        assert "- Espresso Cup (CUP-ESP-01): 2 x 12.50 USD = 25.00 USD" in text
        assert "- Moka Pot <3 cups> (POT-MOKA-3): 1 x 36.48 USD = 36.48 USD" in text
        assert "Total: 61.48 USD" in text
        assert "12 Analytical Row\nFlat 3\nN1 9GU London\nGB" in text
        assert "Paid: 61.48 USD by Visa card" in text
        assert f"Transaction: {payload['payment']['transaction_id']}" in text
        assert payload["order_url"] in text
        html = html_of(message)
        assert "<td>Moka Pot &lt;3 cups&gt;</td>" in html  # escaped in HTML only
        assert '<td align="right">2</td>' in html
        assert "61.48 USD" in html
        assert f'href="{payload["order_url"]}"' in html
        assert notification["message"] == text

    @pytest.mark.parametrize("refunded", [True, False])
    async def test_a_cancelled_order_says_whether_it_was_refunded(
        self, service: Service, users_service: Running, refunded: bool
    ) -> None:
        user_id, email = await register_user(users_service.url)
        payload = order_cancelled(user_id, refunded=refunded)
        await deliver(service.client, "order.cancelled", payload)
        notification, message = await only_email(service, user_id, email)
        assert notification["template"] == "order_cancelled"
        assert payload["order_number"] in message["Subject"]
        assert "cancelled" in message["Subject"]
        text = text_of(message)
        assert "Reason: Changed my mind" in text
        if refunded:
            assert "We have refunded your payment of 61.48 USD" in text
        else:
            assert "No refund was made" in text
            assert "refunded your payment" not in text
        assert payload["order_url"] in text

    async def test_a_shipped_order_says_where_it_goes(
        self, service: Service, users_service: Running
    ) -> None:
        user_id, email = await register_user(users_service.url)
        payload = order_shipped(user_id)
        await deliver(service.client, "order.shipped", payload)
        notification, message = await only_email(service, user_id, email)
        assert notification["template"] == "order_shipped"
        assert message["Subject"] == f"Your Mercato order {payload['order_number']} has shipped"
        assert "Ada Shopper\n12 Analytical Row\nFlat 3\nN1 9GU London\nGB" in text_of(message)
        assert f'href="{payload["order_url"]}"' in html_of(message)

    async def test_a_refund_sends_its_receipt(
        self, service: Service, users_service: Running
    ) -> None:
        user_id, email = await register_user(users_service.url)
        payload = payment_refunded(user_id)
        await deliver(service.client, "payment.refunded", payload)
        notification, message = await only_email(service, user_id, email)
        assert notification["template"] == "refund_receipt"
        assert message["Subject"] == "Your Mercato refund of 12.50 USD"
        text = text_of(message)
        assert "We have refunded 12.50 USD" in text
        assert "Reason: One cup arrived broken" in text
        assert "Refunded so far: 12.50 USD" in text
        assert "Still paid: 48.98 USD" in text
        assert f"Refund reference: {payload['refund_id']}" in text
        # The link to the order is built from MERCATO_WEB_URL.
        order_link = f"{service.settings.web_url}/orders/{payload['order_id']}"
        assert order_link in text
        assert f'href="{order_link}"' in html_of(message)


class TestExactlyOnce:
    async def test_every_event_delivered_three_times_sends_one_email(
        self,
        start_service: StartService,
        smtp: tuple[str, CollectingHandler],
        users_service: Running,
    ) -> None:
        url, server = smtp
        user_id, email = await register_user(users_service.url)
        events = every_event(user_id, email)
        async with start_service(smtp_url=url) as service:
            for topic, payload in events:
                event_id = str(uuid.uuid4())
                answers = [
                    (await deliver(service.client, topic, payload, event_id)).json()["status"]
                    for _ in range(3)
                ]
                assert answers == ["handled", "duplicate", "duplicate"]
            notifications = await settled(service.client, user_id, len(events))
        assert len(notifications) == len(events)
        assert {n["status"] for n in notifications} == {"sent"}
        assert sorted(n["template"] for n in notifications) == sorted(
            [
                "welcome",
                "email_verification",
                "password_reset",
                "order_confirmation",
                "order_cancelled",
                "order_shipped",
                "refund_receipt",
            ]
        )
        received = server.to(email)
        assert sorted(m["Subject"] for m in received) == sorted(n["title"] for n in notifications)

    async def test_three_concurrent_deliveries_of_one_event_send_one_email(
        self, start_service: StartService, smtp: tuple[str, CollectingHandler]
    ) -> None:
        url, server = smtp
        user_id, email = str(uuid.uuid4()), unique_email()
        payload, event_id = registered(user_id, email), str(uuid.uuid4())
        async with start_service(smtp_url=url) as service:
            answers = await asyncio.gather(
                *(deliver(service.client, "user.registered", payload, event_id) for _ in range(3))
            )
            assert [a.status_code for a in answers] == [200, 200, 200]
            assert sorted(a.json()["status"] for a in answers) == [
                "duplicate",
                "duplicate",
                "handled",
            ]
            [notification] = await settled(service.client, user_id, 1)
        assert notification["status"] == "sent"
        assert len(server.to(email)) == 1

    async def test_the_same_payload_under_new_event_ids_is_a_new_email_each(
        self, service: Service
    ) -> None:
        # Exactly once per business event, not per payload: two resets are two emails.
        user_id, email = str(uuid.uuid4()), unique_email()
        payload = password_reset(user_id, email)
        for _ in range(2):
            await deliver(service.client, "user.password_reset_requested", payload)
        assert len(await settled(service.client, user_id, 2)) == 2


class TestEventContract:
    async def test_a_payload_missing_a_field_is_422_naming_it(
        self, client: httpx.AsyncClient
    ) -> None:
        user_id = str(uuid.uuid4())
        payload = order_paid(user_id)
        del payload["order_url"]
        del payload["items"][0]["unit_price"]
        response = await deliver(client, "order.paid", payload)
        assert response.status_code == 422
        fields = {error["field"] for error in response.json()["errors"]}
        assert fields == {"payload.order_url", "payload.items.0.unit_price"}
        # Refused events leave no trace, so the producer's retry is handled afresh.
        assert await notifications_of(client, user_id) == []
        payload = order_paid(user_id)
        assert (await deliver(client, "order.paid", payload)).status_code == 200

    async def test_a_refused_event_id_is_handled_when_it_comes_back_fixed(
        self, client: httpx.AsyncClient
    ) -> None:
        user_id, email = str(uuid.uuid4()), unique_email()
        event_id = str(uuid.uuid4())
        broken = {**registered(user_id, email), "link_hours": "soon"}
        assert (await deliver(client, "user.registered", broken, event_id)).status_code == 422
        fixed = registered(user_id, email)
        answer = await deliver(client, "user.registered", fixed, event_id)
        assert answer.json() == {"status": "handled"}
        assert len(await notifications_of(client, user_id)) == 1

    async def test_an_unknown_topic_is_422(self, client: httpx.AsyncClient) -> None:
        response = await deliver(client, "order.teleported", {"user_id": str(uuid.uuid4())})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "topic"

    async def test_a_non_uuid_user_is_422(self, client: httpx.AsyncClient) -> None:
        response = await deliver(client, "user.registered", registered("42", unique_email()))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "payload.user_id"

    async def test_events_need_the_service_credential(self, client: httpx.AsyncClient) -> None:
        envelope = {
            "id": str(uuid.uuid4()),
            "topic": "user.registered",
            "payload": registered(str(uuid.uuid4()), unique_email()),
        }
        assert (await client.post("/internal/events", json=envelope)).status_code == 401
        wrong = {"X-Service-Token": "guess"}
        response = await client.post("/internal/events", json=envelope, headers=wrong)
        assert response.status_code == 401
