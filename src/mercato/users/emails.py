"""The emails this service causes: each is an event (`user.*`) queued in the outbox with the
change that causes it, for the notifications service to render and send. The single-use token
behind an emailed link is issued here; only its hash is stored.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.outbox import enqueue
from mercato.kit.settings import Settings
from mercato.kit.types import utcnow
from mercato.users.errors import UserNotFound
from mercato.users.models import OneTimeToken, User, outbox
from mercato.users.opaque import new_token, token_hash
from mercato.users.repository import OneTimeTokenRepository, UserRepository

EMAIL_VERIFICATION = "email_verification"
PASSWORD_RESET = "password_reset"
TOKEN_LIFETIMES = {EMAIL_VERIFICATION: timedelta(hours=48), PASSWORD_RESET: timedelta(hours=1)}
LINK_PATHS = {EMAIL_VERIFICATION: "/verify-email", PASSWORD_RESET: "/reset-password"}
LINK_FIELDS = {EMAIL_VERIFICATION: "verification_link", PASSWORD_RESET: "reset_link"}

# The event announcing each email the use cases ask for, by the name they give it.
TOPICS = {
    "welcome_verification": "user.registered",
    "email_verification": "user.verification_requested",
    "password_reset": "user.password_reset_requested",
}


async def send_token_email(
    session: AsyncSession, settings: Settings, user: User, purpose: str, kind: str
) -> None:
    """Issue a single-use token for `purpose` and queue the event announcing the email of
    this `kind` (a key of `TOPICS`) with its link; the payload is the notifications
    service's contract (checkout.md)."""
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
    payload: dict[str, Any] = {
        "user_id": user.id,
        "email": user.email,
        "name": user.name,
        LINK_FIELDS[purpose]: link,
        "link_hours": int(lifetime.total_seconds() // 3600),
    }
    await enqueue(session, outbox, TOPICS[kind], payload)


async def mail_contact(session: AsyncSession, user_id: str) -> dict[str, Any]:
    """How another service reaches a user by mail (`GET /internal/users/{id}`): the account
    as plain values, whatever its status (the caller decides what a suspended one gets)."""
    account = await UserRepository(session).account_view(user_id)
    if account is None:
        raise UserNotFound()
    return account
