"""Sign-in sessions: an access token plus a refresh-token family that rotates on every use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.settings import Settings
from mercato.kit.types import utcnow
from mercato.users.errors import InvalidRefreshToken
from mercato.users.keys import SigningKey
from mercato.users.metrics import REFRESH_REUSE
from mercato.users.models import RefreshToken, User
from mercato.users.opaque import new_token, token_hash
from mercato.users.repository import RefreshTokenRepository, UserRepository


@dataclass(frozen=True)
class TokenPair:
    user: User
    access_token: str
    refresh_token: str
    expires_in: int


async def issue_tokens(
    session: AsyncSession,
    settings: Settings,
    key: SigningKey,
    user: User,
    family_id: str | None = None,
) -> TokenPair:
    """A new access token and the next refresh token of `family_id` (a new family if None)."""
    family_id = family_id or str(uuid.uuid4())
    refresh_token = new_token()
    await RefreshTokenRepository(session).add(
        RefreshToken(
            token_hash=token_hash(refresh_token),
            family_id=family_id,
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=settings.refresh_token_ttl_days),
        )
    )
    access_token = key.sign_access_token(
        user_id=user.id,
        role=user.role,
        session_id=family_id,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl_seconds=settings.access_token_ttl_seconds,
    )
    return TokenPair(user, access_token, refresh_token, settings.access_token_ttl_seconds)


async def rotate_refresh_token(
    session: AsyncSession, settings: Settings, key: SigningKey, presented: str
) -> TokenPair:
    tokens = RefreshTokenRepository(session)
    now = utcnow()
    stored = await tokens.find(token_hash(presented))
    if stored is None or stored.expires_at <= now:
        raise InvalidRefreshToken()
    if not await tokens.spend(stored.id, now):
        # A spent token came back: it was stolen or replayed. End the whole session for
        # everyone holding a token of it, and keep that even though this request fails.
        await tokens.revoke_families([stored.family_id], now)
        await session.commit()
        REFRESH_REUSE.inc()
        raise InvalidRefreshToken()
    user = await UserRepository(session).get(stored.user_id)
    if user is None or not user.is_active:
        raise InvalidRefreshToken()
    return await issue_tokens(session, settings, key, user, stored.family_id)


async def end_sessions(
    session: AsyncSession, user_id: str, family_ids: list[str | None], refresh_token: str | None
) -> None:
    """Revoke the given refresh-token families, plus the family of `refresh_token` when it is
    one of this user's (a token of someone else is ignored, not revoked)."""
    tokens = RefreshTokenRepository(session)
    families = {family for family in family_ids if family}
    if refresh_token:
        stored = await tokens.find(token_hash(refresh_token))
        if stored is not None and stored.user_id == user_id:
            families.add(stored.family_id)
    await tokens.revoke_families(sorted(families), utcnow())
