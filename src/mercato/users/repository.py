"""All SQL of the users service, built from the request's session. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from mercato.users.models import OneTimeToken, Profile, RefreshToken, User

# Core columns and one statement built once: building the ORM expression and its cache key
# on every request costs more than running the query.
_USERS = User.__table__.c
_PROFILES = Profile.__table__.c
_ACCOUNT_FIELDS = ("id", "email", "name", "phone", "role", "status", "email_verified", "created_at")
_PROFILE_FIELDS = ("first_name", "last_name", "avatar_url", "bio", "address")
_ACCOUNT_VIEW = (
    select(*(_USERS[f] for f in _ACCOUNT_FIELDS), *(_PROFILES[f] for f in _PROFILE_FIELDS))
    .select_from(User.__table__.outerjoin(Profile.__table__))
    .where(_USERS.id == bindparam("user_id"))
)


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def account_view(self, user_id: str) -> dict[str, Any] | None:
        """The account and its profile as plain values shaped like `UserOut`: one Core query,
        no ORM objects (the hot read behind every `GET /api/auth/me`)."""
        row = (await self.session.execute(_ACCOUNT_VIEW, {"user_id": user_id})).first()
        if row is None:
            return None
        values = tuple(row)
        account: dict[str, Any] = dict(zip(_ACCOUNT_FIELDS, values, strict=False))
        account["profile"] = dict(zip(_PROFILE_FIELDS, values[len(_ACCOUNT_FIELDS) :], strict=True))
        return account

    async def get(self, user_id: str) -> User | None:
        query = select(User).where(User.id == user_id).options(selectinload(User.profile))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def get_by_email(self, email: str) -> User | None:
        query = select(User).where(User.email == email.lower()).options(selectinload(User.profile))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def email_exists(self, email: str) -> bool:
        query = select(User.id).where(User.email == email.lower())
        return (await self.session.execute(query)).first() is not None

    async def add(self, user: User) -> User:
        user.email = user.email.lower()
        user.profile = Profile()
        self.session.add(user)
        await self.session.flush()
        return user

    async def search(self, q: str | None, page: int, limit: int) -> tuple[Sequence[User], int]:
        where = []
        if q:
            needle = q.lower()
            where.append(
                or_(
                    func.lower(User.email).contains(needle, autoescape=True),
                    func.lower(User.name).contains(needle, autoescape=True),
                )
            )
        total = (await self.session.execute(select(func.count(User.id)).where(*where))).scalar()
        query = (
            select(User)
            .where(*where)
            .options(selectinload(User.profile))
            .order_by(User.created_at.desc(), User.id)
            .offset((page - 1) * limit)
            .limit(limit)
        )
        users = (await self.session.execute(query)).scalars().all()
        return users, int(total or 0)


class RefreshTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, token: RefreshToken) -> None:
        self.session.add(token)
        await self.session.flush()

    async def find(self, token_hash: str) -> RefreshToken | None:
        query = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def spend(self, token_id: str, now: datetime) -> bool:
        """Mark the token used; False when it was already used or revoked. One UPDATE with a
        guard, so two requests racing with the same token cannot both rotate it."""
        result = await self.session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.id == token_id,
                RefreshToken.used_at.is_(None),
                RefreshToken.revoked_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def revoke_families(self, family_ids: Sequence[str], now: datetime) -> None:
        if not family_ids:
            return
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id.in_(family_ids), RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )

    async def revoke_all_of_user(
        self, user_id: str, now: datetime, *, except_family: str | None = None
    ) -> None:
        query = update(RefreshToken).where(
            RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)
        )
        if except_family is not None:
            query = query.where(RefreshToken.family_id != except_family)
        await self.session.execute(
            query.values(revoked_at=now).execution_options(synchronize_session=False)
        )


class OneTimeTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, token: OneTimeToken) -> None:
        self.session.add(token)
        await self.session.flush()

    async def find(self, token_hash: str, purpose: str) -> OneTimeToken | None:
        query = select(OneTimeToken).where(
            OneTimeToken.token_hash == token_hash, OneTimeToken.purpose == purpose
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def spend(self, token_id: str, now: datetime) -> bool:
        """Mark the token used; False when another request used it first."""
        result = await self.session.execute(
            update(OneTimeToken)
            .where(OneTimeToken.id == token_id, OneTimeToken.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def spend_all(self, user_id: str, purpose: str, now: datetime) -> None:
        """Retire every outstanding token of this purpose (an older reset email stops working)."""
        await self.session.execute(
            update(OneTimeToken)
            .where(
                OneTimeToken.user_id == user_id,
                OneTimeToken.purpose == purpose,
                OneTimeToken.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
