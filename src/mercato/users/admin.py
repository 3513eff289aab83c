"""`mercato create-admin`: the first admin of a fresh deployment, or a promotion."""

from __future__ import annotations

from typing import Literal

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.db import Database
from mercato.kit.errors import ValidationFailed
from mercato.kit.settings import Settings
from mercato.users.models import User
from mercato.users.passwords import hash_password, password_problem
from mercato.users.repository import UserRepository

_EMAIL = TypeAdapter(EmailStr)


async def create_admin(
    settings: Settings, email: str, password: str, name: str = "Admin"
) -> Literal["created", "promoted"]:
    """Create an active, verified admin with this password, or promote the existing account
    to an active admin (its password is then left as it is). Raises ValidationFailed for a
    bad email or a weak password."""
    try:
        email = _EMAIL.validate_python(email)
    except ValidationError as exc:
        raise ValidationFailed("email", "This is not a valid email address.") from exc
    database = Database(settings.database_url("users"))
    try:
        async with database.sessions() as session, session.begin():
            return await _create_or_promote(session, settings, email, password, name)
    finally:
        await database.dispose()


async def _create_or_promote(
    session: AsyncSession, settings: Settings, email: str, password: str, name: str
) -> Literal["created", "promoted"]:
    users = UserRepository(session)
    user = await users.get_by_email(email)
    if user is not None:
        user.role = "admin"
        user.status = "active"
        await session.flush()
        return "promoted"
    problem = password_problem(password)
    if problem:
        raise ValidationFailed("password", problem)
    await users.add(
        User(
            email=email,
            password_hash=await hash_password(password, settings.bcrypt_rounds),
            name=name,
            role="admin",
            status="active",
            email_verified=True,
        )
    )
    return "created"
