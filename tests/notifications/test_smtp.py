"""Sending over SMTP to a real server (aiosmtpd), retrying what it refuses, and several
instances of the service sharing the sending."""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack
from typing import Any

import pytest

from harness import free_port
from mercato.kit.settings import Settings
from mercato.notifications.app import create_app
from mercato.notifications.transport import SmtpServer, parse_smtp_url

from .conftest import Service, StartService
from .support import (
    CollectingHandler,
    deliver,
    eventually,
    html_of,
    mailbox_messages,
    notifications_of,
    password_reset,
    registered,
    settled,
    text_of,
    unique_email,
)


async def latest(service: Service, user_id: str) -> dict[str, Any]:
    [notification] = await notifications_of(service.client, user_id)
    return notification


class TestSmtp:
    async def test_the_server_receives_both_parts(
        self, start_service: StartService, smtp: tuple[str, CollectingHandler]
    ) -> None:
        url, server = smtp
        user_id, email = str(uuid.uuid4()), unique_email()
        payload = registered(user_id, email, name="Zoë")
        async with start_service(smtp_url=url) as service:
            await deliver(service.client, "user.registered", payload)
            [notification] = await settled(service.client, user_id, 1)
        assert notification["status"] == "sent"
        assert notification["attempts"] == 1
        [message] = server.to(email)
        assert message["To"] == email
        assert message["From"] == "Mercato <no-reply@mercato.local>"
        assert message["Subject"] == "Welcome to Mercato: please confirm your email"
        assert message["Message-ID"] == f"<{notification['id']}@mercato.local>"
        assert "Hello Zoë," in text_of(message)
        assert payload["verification_link"] in text_of(message)
        assert f'<a href="{payload["verification_link"]}">' in html_of(message)
        # Sent over SMTP, so not written to the mailbox directory.
        assert mailbox_messages(service.settings.mailbox_dir, email) == []

    async def test_the_sender_is_the_configured_one(
        self, start_service: StartService, smtp: tuple[str, CollectingHandler]
    ) -> None:
        url, server = smtp
        user_id, email = str(uuid.uuid4()), unique_email()
        async with start_service(smtp_url=url, mail_from="Acme Shop <orders@acme.example>") as svc:
            await deliver(svc.client, "user.registered", registered(user_id, email, name="Ann"))
            [notification] = await settled(svc.client, user_id, 1)
        [message] = server.to(email)
        assert message["From"] == "Acme Shop <orders@acme.example>"
        assert message["Message-ID"] == f"<{notification['id']}@acme.example>"

    async def test_a_refusing_server_is_retried_until_it_accepts(
        self, start_service: StartService, smtp: tuple[str, CollectingHandler]
    ) -> None:
        url, server = smtp
        server.refuse_all = True
        user_id, email = str(uuid.uuid4()), unique_email()
        async with start_service(smtp_url=url, notification_max_attempts=50) as service:
            await deliver(
                service.client, "user.password_reset_requested", password_reset(user_id, email)
            )

            async def refused_twice() -> dict[str, Any] | None:
                notification = await latest(service, user_id)
                return notification if notification["attempts"] >= 2 else None

            refused = await eventually(refused_twice, what="two refused attempts")
            assert refused["status"] == "pending"
            assert "451" in refused["last_error"]
            assert refused["sent_at"] is None

            server.refuse_all = False
            [sent] = await settled(service.client, user_id, 1)
        assert sent["status"] == "sent"
        assert sent["attempts"] == server.refused + 1
        assert sent["last_error"] is None
        assert len(server.to(email)) == 1

    async def test_a_server_refusing_the_first_attempts_gets_the_mail_once(
        self, start_service: StartService, smtp: tuple[str, CollectingHandler]
    ) -> None:
        url, server = smtp
        server.refuse = 2
        user_id, email = str(uuid.uuid4()), unique_email()
        async with start_service(smtp_url=url) as service:
            await deliver(service.client, "user.registered", registered(user_id, email))
            [notification] = await settled(service.client, user_id, 1)
        assert notification["status"] == "sent"
        assert notification["attempts"] == 3
        assert len(server.to(email)) == 1

    async def test_after_the_last_attempt_the_notification_has_failed(
        self,
        start_service: StartService,
        smtp: tuple[str, CollectingHandler],
        notifications_settings: Settings,
    ) -> None:
        url, server = smtp
        server.refuse_all = True
        user_id, email = str(uuid.uuid4()), unique_email()
        async with start_service(smtp_url=url) as service:
            await deliver(service.client, "user.registered", registered(user_id, email))
            [notification] = await settled(service.client, user_id, 1)
        assert notification["status"] == "failed"
        assert notification["attempts"] == notifications_settings.notification_max_attempts
        assert server.refused == notifications_settings.notification_max_attempts
        assert "451" in notification["last_error"]
        assert notification["sent_at"] is None
        assert server.to(email) == []

    async def test_a_server_nobody_answers_on_is_retried_then_failed(
        self, start_service: StartService
    ) -> None:
        user_id, email = str(uuid.uuid4()), unique_email()
        dead = f"smtp://127.0.0.1:{free_port()}"
        async with start_service(smtp_url=dead) as service:
            await deliver(service.client, "user.registered", registered(user_id, email))
            [notification] = await settled(service.client, user_id, 1)
            assert notification["status"] == "failed"
            assert notification["attempts"] == service.settings.notification_max_attempts
            assert "127.0.0.1" in notification["last_error"]
            # The sender lives on and keeps trying the next ones.
            other = str(uuid.uuid4())
            await deliver(service.client, "user.registered", registered(other, unique_email()))
            [later] = await settled(service.client, other, 1)
            assert later["attempts"] == service.settings.notification_max_attempts

    async def test_instances_share_the_sending_and_send_each_email_once(
        self, start_service: StartService, smtp: tuple[str, CollectingHandler]
    ) -> None:
        url, server = smtp
        user_id = str(uuid.uuid4())
        emails = [unique_email() for _ in range(12)]
        async with AsyncExitStack() as stack:
            services = [
                await stack.enter_async_context(start_service(smtp_url=url)) for _ in range(3)
            ]
            for n, email in enumerate(emails):
                await deliver(services[n % 3].client, "user.registered", registered(user_id, email))
            notifications = await settled(services[0].client, user_id, len(emails))
        assert {n["status"] for n in notifications} == {"sent"}
        assert {n["attempts"] for n in notifications} == {1}
        for email in emails:
            assert len(server.to(email)) == 1


class TestSmtpUrl:
    @pytest.mark.parametrize(
        ("url", "server"),
        [
            ("smtp://mail.example.com", SmtpServer("mail.example.com", 25, False)),
            ("smtp://127.0.0.1:2525", SmtpServer("127.0.0.1", 2525, False)),
            ("smtps://mail.example.com", SmtpServer("mail.example.com", 465, True)),
            (
                "smtp://ann%40shop:p%3Ass@mail.example.com:587",
                SmtpServer("mail.example.com", 587, False, "ann@shop", "p:ss"),
            ),
            (
                "smtps://apikey:s3cret@smtp.example.com:465",
                SmtpServer("smtp.example.com", 465, True, "apikey", "s3cret"),
            ),
        ],
    )
    def test_parses(self, url: str, server: SmtpServer) -> None:
        assert parse_smtp_url(url) == server

    @pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://", "mail.example.com:25"])
    def test_a_bad_url_stops_the_start(self, url: str, notifications_settings: Settings) -> None:
        with pytest.raises(ValueError, match="MERCATO_SMTP_URL"):
            create_app(notifications_settings.model_copy(update={"smtp_url": url}))
