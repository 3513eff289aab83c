"""Changing a password, and resetting a forgotten one by email."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal
from mercato.kit.kv import KeyValueStore
from mercato.kit.settings import Settings
from mercato.kit.types import utcnow
from mercato.users.emails import PASSWORD_RESET, send_token_email
from mercato.users.errors import InactiveAccount, InvalidOneTimeToken, WrongCurrentPassword
from mercato.users.opaque import token_hash
from mercato.users.passwords import hash_password, verify_password
from mercato.users.repository import (
    OneTimeTokenRepository,
    RefreshTokenRepository,
    UserRepository,
)
from mercato.users.revocation import revoke_access_tokens_of
from mercato.users.throttling import LoginThrottle


async def change_password(
    session: AsyncSession,
    settings: Settings,
    kv: KeyValueStore,
    principal: Principal,
    *,
    current_password: str,
    new_password: str,
    client: str,
) -> None:
    """Other sessions' refresh tokens are revoked; this session carries on."""
    user = await UserRepository(session).get(principal.user_id)
    if user is None or not user.is_active:
        raise InactiveAccount()
    # Guessing the current password with a stolen access token counts as failed sign-ins.
    throttle = LoginThrottle(kv)
    await throttle.check(user.email, client)
    if not await verify_password(current_password, user.password_hash, settings.bcrypt_rounds):
        await throttle.record_failure(user.email, client)
        raise WrongCurrentPassword()
    user.password_hash = await hash_password(new_password, settings.bcrypt_rounds)
    await RefreshTokenRepository(session).revoke_all_of_user(
        user.id, utcnow(), except_family=principal.session_id
    )
    await session.flush()


async def request_password_reset(session: AsyncSession, settings: Settings, email: str) -> None:
    """Silent when the account does not exist or is suspended: the answer is the same."""
    user = await UserRepository(session).get_by_email(email)
    if user is None or not user.is_active:
        return
    await send_token_email(session, settings, user, PASSWORD_RESET, "password_reset")


async def confirm_password_reset(
    session: AsyncSession, settings: Settings, kv: KeyValueStore, *, token: str, new_password: str
) -> None:
    """Sets the password and signs the account out everywhere: whoever knew the old password
    loses every session it opened."""
    tokens = OneTimeTokenRepository(session)
    now = utcnow()
    stored = await tokens.find(token_hash(token), PASSWORD_RESET)
    if stored is None or stored.expires_at <= now or stored.used_at is not None:
        raise InvalidOneTimeToken()
    if not await tokens.spend(stored.id, now):
        raise InvalidOneTimeToken()
    user = await UserRepository(session).get(stored.user_id)
    if user is None or not user.is_active:
        raise InvalidOneTimeToken()
    user.password_hash = await hash_password(new_password, settings.bcrypt_rounds)
    # The email reached its owner, which proves the address as well as a verification link.
    user.email_verified = True
    await tokens.spend_all(user.id, PASSWORD_RESET, now)
    await RefreshTokenRepository(session).revoke_all_of_user(user.id, now)
    await session.flush()
    await revoke_access_tokens_of(kv, user.id, settings.access_token_ttl_seconds)
