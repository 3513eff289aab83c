"""Reading payments: a customer sees their own, an admin sees everyone's."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal
from mercato.payments.errors import PaymentNotFound
from mercato.payments.repository import PaymentRepository


async def payment_page(
    session: AsyncSession, viewer: Principal, page: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the viewer's payments (an admin's: all), newest first, with their refunds."""
    repository = PaymentRepository(session)
    owner = None if viewer.is_admin else viewer.user_id
    payments, total = await repository.page(owner, page, limit)
    return await repository.with_refunds(payments), total


async def payment(session: AsyncSession, viewer: Principal, payment_id: str) -> dict[str, Any]:
    """The payment with its refunds; another customer's answers as an unknown one."""
    repository = PaymentRepository(session)
    found = await repository.get(payment_id)
    if found is None or not (viewer.is_admin or found["user_id"] == viewer.user_id):
        raise PaymentNotFound
    return (await repository.with_refunds([found]))[0]
