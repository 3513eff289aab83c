"""All SQL of the orders service, built from a session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from mercato.orders.models import Order, OrderItem, StatusChange


def _visible() -> Any:
    # An order still being placed has neither items nor a price yet: nobody sees it until
    # its stock is reserved (or it is discarded because the stock was not there).
    return or_(Order.step.is_(None), Order.step != "placing")


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, order_id: str, *, for_update: bool = False) -> Order | None:
        """The order with its items and history (locked when `for_update`)."""
        query = (
            select(Order)
            .where(Order.id == order_id)
            .options(selectinload(Order.items), selectinload(Order.history))
            .execution_options(populate_existing=True)
        )
        if for_update:
            query = query.with_for_update(of=Order)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def get_visible(self, order_id: str) -> Order | None:
        order = await self.get(order_id)
        return order if order is not None and order.step != "placing" else None

    async def by_idempotency_key(self, user_id: str, key: str) -> Order | None:
        query = (
            select(Order)
            .where(Order.user_id == user_id, Order.idempotency_key == key)
            .options(selectinload(Order.items), selectinload(Order.history))
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def page(
        self,
        *,
        user_id: str | None,
        status: str | None,
        created_from: datetime | None = None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Order], int]:
        conditions = [_visible()]
        if user_id is not None:
            conditions.append(Order.user_id == user_id)
        if status is not None:
            conditions.append(Order.status == status)
        if created_from is not None:
            conditions.append(Order.created_at >= created_from)
        total = await self.session.scalar(
            select(func.count()).select_from(Order).where(*conditions)
        )
        query = (
            select(Order)
            .where(*conditions)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .offset(offset)
            .limit(limit)
            .options(selectinload(Order.items), selectinload(Order.history))
        )
        orders = (await self.session.execute(query)).scalars().all()
        return orders, int(total or 0)

    async def start_step(
        self, order_id: str, user_id: str, step: str, due_at: datetime, now: datetime, **values: Any
    ) -> bool:
        """Begin `step` on a pending order at rest that `user_id` owns and whose payment window
        is open; False when the order is not in that state (the caller finds out why)."""
        result = await self.session.execute(
            update(Order)
            .where(
                Order.id == order_id,
                Order.user_id == user_id,
                Order.status == "pending",
                Order.step.is_(None),
                Order.expires_at > now,
            )
            .values(step=step, step_due_at=due_at, updated_at=now, **values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def end_step(self, order_id: str, step: str, **values: Any) -> bool:
        result = await self.session.execute(
            update(Order)
            .where(Order.id == order_id, Order.step == step)
            .values(step=None, step_due_at=None, **values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def finish_step(
        self, order: Order, step: str, status_before: str, *, items_from: int, history_from: int
    ) -> bool:
        """Write the outcome of `step`, worked out on `order` in memory: the order row, and its
        items and history from the given positions on. Only if the order is still in `step`
        with `status_before` (else another process finished it first, and nothing is written).
        One UPDATE and an INSERT per kind of row, where loading the aggregate to change it
        would cost three SELECTs more."""
        result = await self.session.execute(
            update(Order)
            .where(Order.id == order.id, Order.step == step, Order.status == status_before)
            .values(
                status=order.status,
                total_amount=order.total_amount,
                currency=order.currency,
                payment_id=order.payment_id,
                payment_status=order.payment_status,
                payment_failure_code=order.payment_failure_code,
                step=None,
                step_due_at=None,
                updated_at=order.updated_at,
            )
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        order.step = order.step_due_at = None
        for model, rows in (
            (OrderItem, order.items[items_from:]),
            (StatusChange, order.history[history_from:]),
        ):
            if rows:
                columns = model.__table__.columns.keys()
                await self.session.execute(
                    insert(model), [{c: getattr(row, c) for c in columns} for row in rows]
                )
        return True

    async def discard_unplaced(self, order_id: str) -> None:
        """Delete an order whose stock could not be reserved: nobody ever saw it."""
        await self.session.execute(
            delete(Order).where(Order.id == order_id, Order.step == "placing")
        )

    async def claim_stalled(
        self, now: datetime, lease: timedelta, limit: int
    ) -> list[tuple[str, str]]:
        """(id, step) of orders left mid-step past their due time, leased to the caller."""
        query = (
            select(Order.id, Order.step)
            .where(Order.step.is_not(None), Order.step_due_at <= now)
            .order_by(Order.step_due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed = [(row.id, row.step) for row in await self.session.execute(query)]
        if claimed:
            ids = [order_id for order_id, _ in claimed]
            await self.session.execute(
                update(Order).where(Order.id.in_(ids)).values(step_due_at=now + lease)
            )
        return claimed

    async def lapsed(self, now: datetime, limit: int) -> Sequence[Order]:
        """Pending orders at rest whose payment window closed, locked for their cancellation."""
        query = (
            select(Order)
            .where(Order.status == "pending", Order.step.is_(None), Order.expires_at <= now)
            .order_by(Order.expires_at)
            .limit(limit)
            .options(selectinload(Order.items), selectinload(Order.history))
            .with_for_update(skip_locked=True, of=Order)
        )
        return (await self.session.execute(query)).scalars().all()
