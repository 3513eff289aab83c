"""Opening an account and proving its email address."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.settings import Settings
from mercato.kit.types import utcnow
from mercato.users.emails import EMAIL_VERIFICATION, send_token_email
from mercato.users.errors import EmailTaken, InactiveAccount, InvalidOneTimeToken
from mercato.users.keys import SigningKey
from mercato.users.metrics import REGISTRATIONS
from mercato.users.models import User
from mercato.users.opaque import token_hash
from mercato.users.passwords import hash_password
from mercato.users.repository import OneTimeTokenRepository, UserRepository
from mercato.users.schemas import RegisterRequest
from mercato.users.sessions import TokenPair, issue_tokens


async def register(
    session: AsyncSession, settings: Settings, key: SigningKey, data: RegisterRequest
) -> TokenPair:
    users = UserRepository(session)
    if await users.email_exists(data.email):
        raise EmailTaken()
    user = User(
        email=data.email,
        password_hash=await hash_password(data.password, settings.bcrypt_rounds),
        name=data.name,
        phone=data.phone,
        role="customer",
        status="active",
        email_verified=False,
    )
    try:
        # A savepoint, so losing a race for the email leaves the transaction usable.
        async with session.begin_nested():
            await users.add(user)
    except IntegrityError as exc:
        raise EmailTaken() from exc
    await send_token_email(session, settings, user, EMAIL_VERIFICATION, "welcome_verification")
    pair = await issue_tokens(session, settings, key, user)
    REGISTRATIONS.inc()
    return pair


async def verify_email(session: AsyncSession, token: str) -> None:
    tokens = OneTimeTokenRepository(session)
    now = utcnow()
    stored = await tokens.find(token_hash(token), EMAIL_VERIFICATION)
    if stored is None or stored.expires_at <= now or stored.used_at is not None:
        raise InvalidOneTimeToken()
    if not await tokens.spend(stored.id, now):
        raise InvalidOneTimeToken()
    user = await UserRepository(session).get(stored.user_id)
    if user is None:
        raise InvalidOneTimeToken()
    user.email_verified = True
    await session.flush()


async def resend_verification(session: AsyncSession, settings: Settings, user_id: str) -> None:
    """A fresh link; nothing is sent when the address is already verified."""
    user = await UserRepository(session).get(user_id)
    if user is None or not user.is_active:
        raise InactiveAccount()
    if user.email_verified:
        return
    await send_token_email(session, settings, user, EMAIL_VERIFICATION, "email_verification")
