"""What admins do to accounts: find them, change their role, suspend or reinstate them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal
from mercato.kit.kv import KeyValueStore
from mercato.kit.settings import Settings
from mercato.kit.types import utcnow
from mercato.users.errors import SelfLockout, UserNotFound
from mercato.users.models import User
from mercato.users.repository import RefreshTokenRepository, UserRepository
from mercato.users.revocation import revoke_access_tokens_of
from mercato.users.schemas import UserAdminUpdate


async def list_users(
    session: AsyncSession, q: str | None, page: int, limit: int
) -> tuple[Sequence[User], int]:
    return await UserRepository(session).search(q, page, limit)


async def update_user(
    session: AsyncSession,
    settings: Settings,
    kv: KeyValueStore,
    admin: Principal,
    user_id: str,
    changes: UserAdminUpdate,
) -> User:
    user = await UserRepository(session).get(user_id)
    if user is None:
        raise UserNotFound()
    role = changes.role or user.role
    status = changes.status or user.status
    if user.id == admin.user_id and (role != "admin" or status != "active"):
        raise SelfLockout()
    demoted = user.role == "admin" and role != "admin"
    suspended = user.status == "active" and status == "suspended"
    user.role, user.status = role, status
    if suspended:
        await RefreshTokenRepository(session).revoke_all_of_user(user.id, utcnow())
    await session.flush()
    if suspended or demoted:
        # Access tokens carry the role and outlive this change by up to their TTL: end them
        # now, on every service. A demoted user's refresh then yields a customer token.
        await revoke_access_tokens_of(kv, user.id, settings.access_token_ttl_seconds)
    return user
