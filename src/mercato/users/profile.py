"""The signed-in user's own account: reading it and changing name, phone and profile."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.users.errors import InactiveAccount
from mercato.users.models import User
from mercato.users.repository import UserRepository
from mercato.users.schemas import MeUpdate


async def active_account(session: AsyncSession, user_id: str) -> dict[str, Any]:
    """The caller's account as plain values shaped like `UserOut`, read in one query; a
    token of a suspended or deleted account is refused, as in `active_user`."""
    account = await UserRepository(session).account_view(user_id)
    if account is None or account["status"] != "active":
        raise InactiveAccount()
    return account


async def active_user(session: AsyncSession, user_id: str) -> User:
    """The caller's account; a token of a suspended or deleted account is refused."""
    user = await UserRepository(session).get(user_id)
    if user is None or not user.is_active:
        raise InactiveAccount()
    return user


async def update_me(session: AsyncSession, user_id: str, changes: MeUpdate) -> User:
    user = await active_user(session, user_id)
    if changes.name is not None:
        user.name = changes.name
    if "phone" in changes.model_fields_set:
        user.phone = changes.phone
    if changes.profile is not None:
        profile = user.profile
        for field in changes.profile.model_fields_set:
            value = getattr(changes.profile, field)
            if field == "avatar_url" and value is not None:
                value = str(value)
            elif field == "address" and value is not None:
                value = value.model_dump(exclude_none=True)
            setattr(profile, field, value)
    await session.flush()
    return user
