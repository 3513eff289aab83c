"""All SQL of the payments service: payments, refunds and the conditional money moves.

A refund only ever moves money through one `UPDATE ... WHERE refunded_amount + :amount <=
amount`, so no interleaving of refunds can give back more than was charged. Inserts that may
race (one charge or refund per key, one successful charge per order) are `INSERT ... ON
CONFLICT DO NOTHING` against unique indexes: the database picks the one winner.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Table, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.pagination import offset
from mercato.payments.models import Payment, Refund
from mercato.payments.processor import PROCESSING_ERROR

_P: Table = Payment.__table__  # type: ignore[assignment]
_R: Table = Refund.__table__  # type: ignore[assignment]

_PAYMENT = [column for column in _P.c if column.name != "updated_at"]
_REFUND = [column for column in _R.c if column.name != "refund_key"]

Recharge = Literal["updated", "settled", "order_paid"]
"""What charging a `processing_error` payment again did: updated the row with the new
outcome; found it already settled by a concurrent repeat; or found the order paid."""


class PaymentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        dialect = self.session.get_bind().dialect.name
        return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)

    async def _one(self, query: Any) -> dict[str, Any] | None:
        row = (await self.session.execute(query)).first()
        return dict(row._mapping) if row is not None else None

    # Payments

    async def get(self, payment_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        """The payment, without its refunds. `lock` holds its row until the transaction ends
        (PostgreSQL; SQLite's writers already hold the database from BEGIN IMMEDIATE)."""
        query = select(*_PAYMENT).where(_P.c.id == payment_id)
        return await self._one(query.with_for_update() if lock else query)

    async def charge_state(
        self, key: str, order_id: str
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """The payment under `key`, and the order's successful payment under another key.

        One statement, so one snapshot: two queries could see a concurrent charge commit in
        between, and mistake this key's own payment for another key's."""
        query = select(*_PAYMENT, _P.c.charge_key).where(
            (_P.c.charge_key == key) | ((_P.c.order_id == order_id) & _P.c.failure_code.is_(None))
        )
        rows = [dict(row._mapping) for row in await self.session.execute(query)]
        mine = next((row for row in rows if row["charge_key"] == key), None)
        paid = next((row for row in rows if row["charge_key"] != key), None)
        return mine, paid

    async def successful_for_order(
        self, order_id: str, *, lock: bool = False
    ) -> dict[str, Any] | None:
        """The order's one charge that went through, refunded or not."""
        query = select(*_PAYMENT, _P.c.charge_key).where(
            _P.c.order_id == order_id, _P.c.failure_code.is_(None)
        )
        return await self._one(query.with_for_update() if lock else query)

    async def insert_payment(self, values: dict[str, Any]) -> bool:
        """Records a charge unless its key is taken or, for a successful charge, the order
        already has one; True when this call inserted it."""
        statement = self._insert(_P).values(**values).on_conflict_do_nothing()
        result = await self.session.execute(statement.returning(_P.c.id))
        return result.first() is not None

    async def recharge(self, key: str, values: dict[str, Any], now: datetime) -> Recharge:
        """Replaces the outcome of the `processing_error` payment under `key`."""
        statement = (
            update(_P)
            .where(_P.c.charge_key == key, _P.c.failure_code == PROCESSING_ERROR)
            .values(**values, updated_at=now)
        )
        try:
            # A savepoint: the unique index refusing a second successful charge of the
            # order must not abort the whole transaction.
            async with self.session.begin_nested():
                result = await self.session.execute(statement)
        except IntegrityError:
            return "order_paid"
        return "updated" if result.rowcount else "settled"  # type: ignore[attr-defined]

    async def add_refunded(self, payment_id: str, amount: Decimal, now: datetime) -> str | None:
        """Adds `amount` to what the payment has refunded, if that stays within what it
        charged; answers the payment's new status, or None when it would not."""
        refunded = _P.c.refunded_amount + amount
        statement = (
            update(_P)
            .where(
                _P.c.id == payment_id,
                _P.c.failure_code.is_(None),
                refunded <= _P.c.amount,
            )
            .values(
                refunded_amount=refunded,
                status=case((refunded == _P.c.amount, "refunded"), else_="partially_refunded"),
                updated_at=now,
            )
            .returning(_P.c.status)
        )
        row = (await self.session.execute(statement)).first()
        return str(row.status) if row is not None else None

    async def page(
        self, user_id: str | None, page: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Newest first: the user's payments, or everyone's when `user_id` is None."""
        query = select(*_PAYMENT)
        count = select(func.count()).select_from(_P)
        if user_id is not None:
            query = query.where(_P.c.user_id == user_id)
            count = count.where(_P.c.user_id == user_id)
        query = query.order_by(_P.c.created_at.desc(), _P.c.id.desc())
        rows = await self.session.execute(query.offset(offset(page, limit)).limit(limit))
        total = (await self.session.execute(count)).scalar_one()
        return [dict(row._mapping) for row in rows], int(total)

    async def with_refunds(self, payments: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """The payments, each with its `refunds`."""
        refunds = await self.refunds_of([payment["id"] for payment in payments])
        return [{**payment, "refunds": refunds[payment["id"]]} for payment in payments]

    # Refunds

    async def refunds_of(self, payment_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """Each payment's refunds, oldest first."""
        found: dict[str, list[dict[str, Any]]] = {payment_id: [] for payment_id in payment_ids}
        if not payment_ids:
            return found
        query = (
            select(*_REFUND)
            .where(_R.c.payment_id.in_(payment_ids))
            .order_by(_R.c.created_at, _R.c.id)
        )
        for row in await self.session.execute(query):
            found[row.payment_id].append(dict(row._mapping))
        return found

    async def refund_by_key(self, key: str) -> dict[str, Any] | None:
        return await self._one(select(*_REFUND).where(_R.c.refund_key == key))

    async def insert_refund(self, values: dict[str, Any]) -> bool:
        """Records a refund unless its key is taken; True when this call inserted it."""
        statement = self._insert(_R).values(**values).on_conflict_do_nothing()
        result = await self.session.execute(statement.returning(_R.c.id))
        return result.first() is not None
