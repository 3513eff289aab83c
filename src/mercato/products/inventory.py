"""Stock reservations for orders: reserve all lines or none, confirm when paid, release when
cancelled or lapsed. Each is idempotent per order id, so the orders service may retry freely."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import MercatoError
from mercato.kit.types import utcnow
from mercato.products.changes import product_changed
from mercato.products.errors import (
    InsufficientStock,
    ReservationMismatch,
    ReservationNotFound,
    ReservationReleased,
    UnavailableProducts,
)
from mercato.products.inventory_repository import (
    RESTOCK,
    SELL,
    UNHOLD,
    InventoryRepository,
)
from mercato.products.metrics import RESERVATIONS
from mercato.products.schemas import ReservationRequest

HOLD_ATTEMPTS = 3


async def reserve(
    session: AsyncSession, request: ReservationRequest, default_ttl_seconds: int
) -> tuple[dict[str, Any], bool]:
    """The order's reservation and whether this call made it. A repeat of a reservation
    already made answers it as it stands and moves nothing."""
    wanted: dict[str, int] = {}
    first_line: dict[str, int] = {}
    for index, line in enumerate(request.lines):
        product_id = line.product_id.lower()
        wanted[product_id] = wanted.get(product_id, 0) + line.quantity
        first_line.setdefault(product_id, index)
    order_id = request.order_id.lower()
    repository = InventoryRepository(session)
    now = utcnow()
    expires_at = now + timedelta(seconds=request.ttl_seconds or default_ttl_seconds)
    opened = await repository.open_reservation(order_id, expires_at, now)
    if opened is None:
        existing = await view(session, order_id)
        if {line["product_id"]: line["quantity"] for line in existing["lines"]} != wanted:
            raise ReservationMismatch
        RESERVATIONS.labels("repeated").inc()
        return existing, False

    held: list[dict[str, Any]] = []
    for product_id in sorted(wanted):  # one lock order for every caller: no deadlocks
        quote = await _hold(repository, product_id, wanted, first_line, held)
        held.append({"product_id": product_id, "quantity": wanted[product_id], **quote})
    held = [{**line, "unit_price": line.pop("price")} for line in held]
    await repository.add_lines(order_id, held)
    product_changed(session, *wanted)
    RESERVATIONS.labels("held").inc()
    # Answered as written (the lines are in product id order, as `view` reads them).
    return {**opened, "lines": held}, True


async def _hold(
    repository: InventoryRepository,
    product_id: str,
    wanted: dict[str, int],
    first_line: dict[str, int],
    held: list[dict[str, Any]],
) -> dict[str, Any]:
    """Holds one line, or raises the refusal; the request's rollback then restores the
    lines held so far."""
    units = 0
    for _ in range(HOLD_ATTEMPTS):
        quote = await repository.hold(product_id, wanted[product_id])
        if quote is not None:
            return quote
        refusal, units = await _refusal(repository, product_id, wanted, first_line, held)
        if refusal is not None:
            RESERVATIONS.labels("refused").inc()
            raise refusal
        # Units came back (a release committed) between the refused update and the re-read:
        # the line may be held now, rather than refused with nothing short.
    short = {"product_id": product_id, "requested": wanted[product_id], "available": units}
    RESERVATIONS.labels("refused").inc()
    raise InsufficientStock([short])


async def _refusal(
    repository: InventoryRepository,
    product_id: str,
    wanted: dict[str, int],
    first_line: dict[str, int],
    held: list[dict[str, Any]],
) -> tuple[MercatoError | None, int]:
    """Why the request cannot be met as stock stands now (None if it now could), and the
    units of `product_id` for sale."""
    available = await repository.availability(sorted(wanted))
    # This transaction's own holds are still in the counts until it rolls back: a line held
    # before the short one had enough, and must not be reported short because of itself.
    for line in held:
        units = available[line["product_id"]]
        if units is not None:
            available[line["product_id"]] = units + line["quantity"]
    unavailable = [p for p, units in available.items() if units is None]
    if unavailable:
        return UnavailableProducts(min(first_line[p] for p in unavailable)), 0
    short = [
        {"product_id": p, "requested": wanted[p], "available": units}
        for p, units in sorted(available.items(), key=lambda item: first_line[item[0]])
        if units is not None and units < wanted[p]
    ]
    return (InsufficientStock(short) if short else None), available[product_id] or 0


async def confirm(session: AsyncSession, order_id: str) -> dict[str, Any]:
    """The order is paid: its held units are sold. Confirming twice changes nothing."""
    repository = InventoryRepository(session)
    # The status first: the row lock it takes is the one release takes first too.
    confirmed = await repository.change_status(order_id, "held", "confirmed", utcnow())
    if confirmed is None:  # confirmed already (a repeat), released, or never reserved
        existing = await view(session, order_id)
        if existing["status"] == "released":
            raise ReservationReleased
        return existing
    lines = await repository.lines(order_id)
    for line in lines:
        await repository.move(line["product_id"], line["quantity"], SELL)
    RESERVATIONS.labels("confirmed").inc()
    return {**confirmed, "lines": lines}


async def release(session: AsyncSession, order_id: str) -> dict[str, Any]:
    """The order is cancelled or lapsed: exactly its units go back on sale, whether they
    were held or already sold. Releasing twice changes nothing."""
    repository = InventoryRepository(session)
    reservation = await _locked(repository, order_id)
    status = reservation["status"]
    if status != "released":
        lines = await repository.lines(order_id)
        for line in lines:
            move = UNHOLD if status == "held" else RESTOCK
            await repository.move(line["product_id"], line["quantity"], move)
        await repository.set_status(order_id, status, "released", utcnow())
        RESERVATIONS.labels("released").inc()
        product_changed(session, *(line["product_id"] for line in lines))
    return await view(session, order_id)


async def release_lapsed(session: AsyncSession, now: datetime, limit: int = 100) -> list[str]:
    """Releases held reservations past their expiry; answers the order ids released."""
    repository = InventoryRepository(session)
    order_ids = await repository.lapsed(now, limit)
    # One transaction moves the stock of many orders. Releasing them one by one would lock
    # their products in expiry order, against checkouts locking theirs in id order: a
    # deadlock. So every product they touch is locked first, in id order like everyone else.
    await repository.lock_products_of(order_ids)
    for order_id in order_ids:
        await release(session, order_id)
    RESERVATIONS.labels("lapsed").inc(len(order_ids))
    return order_ids


async def view(session: AsyncSession, order_id: str) -> dict[str, Any]:
    repository = InventoryRepository(session)
    reservation = await repository.get(order_id)
    if reservation is None:
        raise ReservationNotFound
    return {**reservation, "lines": await repository.lines(order_id)}


async def _locked(repository: InventoryRepository, order_id: str) -> dict[str, Any]:
    reservation = await repository.get(order_id, lock=True)
    if reservation is None:
        raise ReservationNotFound
    return reservation
