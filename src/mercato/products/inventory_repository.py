"""All inventory SQL: reservations and the conditional stock moves behind them.

Stock only ever moves through one `UPDATE ... WHERE stock >= :quantity` per product, never a
read followed by a write, so two checkouts racing for the last unit cannot both get it: on
PostgreSQL the second update re-checks the row after the first commits; on SQLite writers take
the database lock at BEGIN and run one after the other. On PostgreSQL every transaction that
moves stock locks its products in id order, so none can wait on another in a cycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.products.models import Product, Reservation, ReservationLine

_P: Table = Product.__table__  # type: ignore[assignment]
_R: Table = Reservation.__table__  # type: ignore[assignment]
_L: Table = ReservationLine.__table__  # type: ignore[assignment]

# Where units go for each move: (from column, to column).
HOLD = ("stock", "reserved")
SELL = ("reserved", "sold")
UNHOLD = ("reserved", "stock")
RESTOCK = ("sold", "stock")


class InventoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open_reservation(
        self, order_id: str, expires_at: datetime, now: datetime
    ) -> dict[str, Any] | None:
        """Creates the order's reservation unless it has one; the row when created here."""
        dialect = self.session.get_bind().dialect.name
        values = {
            "order_id": order_id,
            "status": "held",
            "expires_at": expires_at,
            "created_at": now,
            "updated_at": now,
        }
        builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = builder(_R).values(**values).on_conflict_do_nothing(index_elements=["order_id"])
        row = (await self.session.execute(statement.returning(*_R.c))).first()
        return dict(row._mapping) if row is not None else None

    async def hold(self, product_id: str, quantity: int) -> dict[str, Any] | None:
        """Moves `quantity` units from stock to reserved if the product is for sale and has
        them; answers what the line is quoted at, or None (nothing moved)."""
        statement = (
            update(_P)
            .where(
                _P.c.id == product_id,
                _P.c.stock >= quantity,
                _P.c.deleted_at.is_(None),
                _P.c.is_active.is_(True),
            )
            .values(stock=_P.c.stock - quantity, reserved=_P.c.reserved + quantity)
            .returning(_P.c.name, _P.c.sku, _P.c.price, _P.c.currency)
        )
        row = (await self.session.execute(statement)).first()
        return dict(row._mapping) if row is not None else None

    async def move(self, product_id: str, quantity: int, move: tuple[str, str]) -> None:
        source, target = (_P.c[name] for name in move)
        await self.session.execute(
            update(_P)
            .where(_P.c.id == product_id)
            .values({source: source - quantity, target: target + quantity})
        )

    async def availability(self, product_ids: list[str]) -> dict[str, int | None]:
        """Units for sale per product; None for a product that is not for sale."""
        rows = await self.session.execute(
            select(_P.c.id, _P.c.stock, _P.c.deleted_at, _P.c.is_active).where(
                _P.c.id.in_(product_ids)
            )
        )
        found = {
            row.id: (row.stock if row.deleted_at is None and row.is_active else None)
            for row in rows
        }
        return {product_id: found.get(product_id) for product_id in product_ids}

    async def add_lines(self, order_id: str, lines: list[dict[str, Any]]) -> None:
        await self.session.execute(insert(_L), [{"order_id": order_id, **line} for line in lines])

    async def get(self, order_id: str, *, lock: bool = False) -> dict[str, Any] | None:
        query = select(_R).where(_R.c.order_id == order_id)
        if lock:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return dict(row._mapping) if row is not None else None

    async def lines(self, order_id: str) -> list[dict[str, Any]]:
        query = select(
            _L.c.product_id, _L.c.name, _L.c.sku, _L.c.quantity, _L.c.unit_price, _L.c.currency
        ).where(_L.c.order_id == order_id)
        # In product order: the order in which confirm and release lock the products.
        query = query.order_by(_L.c.product_id)
        return [dict(row._mapping) for row in (await self.session.execute(query)).all()]

    async def lock_products_of(self, order_ids: list[str]) -> None:
        """Row locks on every product the orders' lines name, taken in product id order,
        the one order in which every transaction here locks products."""
        if not order_ids:
            return
        named = select(_L.c.product_id).where(_L.c.order_id.in_(order_ids))
        await self.session.execute(
            select(_P.c.id).where(_P.c.id.in_(named)).order_by(_P.c.id).with_for_update()
        )

    async def change_status(
        self, order_id: str, old: str, new: str, now: datetime
    ) -> dict[str, Any] | None:
        """The reservation as it is now, if it was in status `old` (else None, unchanged)."""
        statement = (
            update(_R)
            .where(and_(_R.c.order_id == order_id, _R.c.status == old))
            .values(status=new, updated_at=now)
            .returning(*_R.c)
        )
        row = (await self.session.execute(statement)).first()
        return dict(row._mapping) if row is not None else None

    async def set_status(self, order_id: str, old: str, new: str, now: datetime) -> bool:
        result = await self.session.execute(
            update(_R)
            .where(and_(_R.c.order_id == order_id, _R.c.status == old))
            .values(status=new, updated_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def lapsed(self, now: datetime, limit: int) -> list[str]:
        """Held reservations past their expiry, locked for this unit of work; rows another
        sweeper holds are skipped, not waited for."""
        query = (
            select(_R.c.order_id)
            .where(_R.c.status == "held", _R.c.expires_at < now)
            .order_by(_R.c.expires_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.execute(query)).scalars())
