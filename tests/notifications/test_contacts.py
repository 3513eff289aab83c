"""Emails for events without an address go to the one the real users service knows."""

from __future__ import annotations

import uuid

from harness import Running, free_port

from .conftest import Service, StartService
from .support import deliver, mailbox_messages, order_paid, order_shipped, register_user, settled


class TestUsersLookup:
    async def test_an_order_event_is_mailed_to_the_registered_address(
        self, service: Service, users_service: Running
    ) -> None:
        user_id, email = await register_user(users_service.url, name="Katherine Johnson")
        payload = order_paid(user_id)
        assert "email" not in payload
        assert (await deliver(service.client, "order.paid", payload)).status_code == 200
        [notification] = await settled(service.client, user_id, 1)
        assert notification["status"] == "sent"
        assert notification["attempts"] == 1
        [message] = mailbox_messages(service.settings.mailbox_dir, email)
        assert message["To"] == email
        assert payload["order_number"] in message["Subject"]

    async def test_a_user_the_users_service_does_not_know_fails_at_once(
        self, service: Service
    ) -> None:
        user_id = str(uuid.uuid4())
        await deliver(service.client, "order.shipped", order_shipped(user_id))
        [notification] = await settled(service.client, user_id, 1)
        assert notification["status"] == "failed"
        assert notification["attempts"] == 1  # no retry can mend it
        assert "knows no user" in notification["last_error"]

    async def test_an_unreachable_users_service_is_a_failed_attempt_retried(
        self, start_service: StartService, users_service: Running
    ) -> None:
        user_id, email = await register_user(users_service.url)
        async with start_service(users_url=f"http://127.0.0.1:{free_port()}") as service:
            await deliver(service.client, "order.paid", order_paid(user_id))
            [notification] = await settled(service.client, user_id, 1)
            assert notification["status"] == "failed"
            assert notification["attempts"] == service.settings.notification_max_attempts
            assert "users service cannot be reached" in notification["last_error"]
            assert mailbox_messages(service.settings.mailbox_dir, email) == []
