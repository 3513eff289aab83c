"""The emails this service sends: queued in the outbox with the change that causes them,
then rendered and written to the mailbox by the relay (until a notifications service exists).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.mail import EmailRenderer, Mailbox
from mercato.kit.outbox import OutboxEvent, enqueue
from mercato.kit.settings import Settings
from mercato.kit.types import utcnow
from mercato.users.models import OneTimeToken, User, outbox
from mercato.users.opaque import new_token, token_hash
from mercato.users.repository import OneTimeTokenRepository

EMAIL_TOPIC = "email"
EMAIL_VERIFICATION = "email_verification"
PASSWORD_RESET = "password_reset"
TOKEN_LIFETIMES = {EMAIL_VERIFICATION: timedelta(hours=48), PASSWORD_RESET: timedelta(hours=1)}
LINK_PATHS = {EMAIL_VERIFICATION: "/verify-email", PASSWORD_RESET: "/reset-password"}


async def send_token_email(
    session: AsyncSession, settings: Settings, user: User, purpose: str, template: str
) -> None:
    """Issue a single-use token for `purpose` and queue the email carrying its link."""
    token = new_token()
    lifetime = TOKEN_LIFETIMES[purpose]
    await OneTimeTokenRepository(session).add(
        OneTimeToken(
            token_hash=token_hash(token),
            purpose=purpose,
            user_id=user.id,
            expires_at=utcnow() + lifetime,
        )
    )
    link = f"{settings.web_url.rstrip('/')}{LINK_PATHS[purpose]}?{urlencode({'token': token})}"
    context = {"name": user.name, "link": link, "hours": int(lifetime.total_seconds() // 3600)}
    payload: dict[str, Any] = {"to": user.email, "template": template, "context": context}
    await enqueue(session, outbox, EMAIL_TOPIC, payload)


class MailboxDelivery:
    """The relay's consumer: render the template and write `<event id>.eml` (idempotent)."""

    def __init__(self, settings: Settings) -> None:
        self.renderer = EmailRenderer("mercato.users")
        self.mailbox = Mailbox(settings.mailbox_dir)

    async def __call__(self, event: OutboxEvent) -> None:
        if event.topic != EMAIL_TOPIC:
            raise ValueError(f"the users outbox has no consumer for topic {event.topic!r}")
        payload = event.payload
        message = self.renderer.message(payload["template"], payload["to"], payload["context"])
        await asyncio.to_thread(self.mailbox.write, message, event.id)
