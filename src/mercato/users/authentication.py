"""Signing in and out."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal
from mercato.kit.kv import KeyValueStore
from mercato.kit.settings import Settings
from mercato.users.errors import AccountSuspended, InvalidCredentials, LoginThrottled
from mercato.users.keys import SigningKey
from mercato.users.metrics import LOGINS
from mercato.users.passwords import verify_password
from mercato.users.repository import UserRepository
from mercato.users.revocation import revoke_access_token
from mercato.users.sessions import TokenPair, end_sessions, issue_tokens
from mercato.users.throttling import LoginThrottle


async def log_in(
    session: AsyncSession,
    settings: Settings,
    key: SigningKey,
    kv: KeyValueStore,
    *,
    email: str,
    password: str,
    client: str,
) -> TokenPair:
    throttle = LoginThrottle(kv)
    try:
        await throttle.check(email, client)
    except LoginThrottled:
        LOGINS.labels("throttled").inc()
        raise
    user = await UserRepository(session).get_by_email(email)
    password_hash = user.password_hash if user is not None else None
    # Checked even for an unknown email, so both failures take the same time.
    verified = await verify_password(password, password_hash, settings.bcrypt_rounds)
    if user is None or not verified:
        await throttle.record_failure(email, client)
        LOGINS.labels("invalid_credentials").inc()
        raise InvalidCredentials()
    if not user.is_active:
        LOGINS.labels("suspended").inc()
        raise AccountSuspended()
    await throttle.forget_account(email)
    LOGINS.labels("success").inc()
    return await issue_tokens(session, settings, key, user)


async def log_out(
    session: AsyncSession, kv: KeyValueStore, principal: Principal, refresh_token: str | None
) -> None:
    """The access token dies at once everywhere; so does its session's refresh family."""
    await end_sessions(session, principal.user_id, [principal.session_id], refresh_token)
    await revoke_access_token(kv, principal)
