"""The checkout saga: place an order, reserve its stock, charge it, confirm the stock.

Each step is recorded on the order before the calls it makes (`step = "placing"` or
`"paying"`, with the charge's key), and every call is idempotent on the other side: the
reservation per order id, the charge per key, the confirmation per order id. Carrying an
order forward is therefore always safe to repeat, which is all the recovery loop does with an
order whose step stalled (a crash, a service that was down). The step ends in one
transaction that writes the outcome, the history and the `order.paid` event together, and
only if the step is still the one this process began: of two processes finishing the same
order, one writes and the other reads what it wrote.

Placing:  insert (placing) -> reserve -> [charge -> confirm] -> finish (pending | paid)
Paying:   mark (paying)    ->             charge -> confirm  -> finish (pending | paid)
A refused reservation discards the order (the shopper gets the 409/422, nobody saw it); a
declined card leaves it pending with the failure code and its stock held until the payment
window closes; a hold that lapsed before the confirmation refunds and cancels the order.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError

from mercato.kit.db import Database
from mercato.kit.errors import GatewayTimeout, ServiceUnavailable
from mercato.kit.idempotency import IdempotencyKeyInFlight, IdempotencyKeyReused
from mercato.kit.settings import Settings
from mercato.kit.types import new_id, utcnow
from mercato.orders.cancellation import HOLD_LAPSED_REASON, Cancellations, begin_cancellation
from mercato.orders.errors import (
    CheckoutIncomplete,
    MixedCurrencies,
    OrderBusy,
    OrderNotFound,
    OrderNotPending,
    UpstreamRefusal,
)
from mercato.orders.events import order_paid
from mercato.orders.metrics import ORDERS_PLACED, PAYMENTS_FAILED
from mercato.orders.models import Order, OrderItem
from mercato.orders.repository import OrderRepository
from mercato.orders.upstreams import Charge, Upstreams

PLACING = "placing"
PAYING = "paying"
_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread
log = structlog.get_logger("mercato.orders")
Unreachable = (ServiceUnavailable, GatewayTimeout)


def new_order_number() -> str:
    """`MC-7K3Q-9XW2`: short enough to read out on the phone, 32^8 of them."""
    chars = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))
    return f"MC-{chars[:4]}-{chars[4:]}"


@dataclass(frozen=True)
class PlaceOrder:
    user_id: str
    lines: list[dict[str, Any]]
    shipping_address: dict[str, Any]
    payment_method: str | None
    idempotency_key: str | None
    fingerprint: str | None


@dataclass(frozen=True)
class Placed:
    order_id: str
    replayed: bool
    order: Order | None = None
    """The order as this call left it, when it did (else the caller reads it)."""


class Checkout:
    def __init__(
        self,
        database: Database,
        upstreams: Upstreams,
        cancellations: Cancellations,
        settings: Settings,
    ) -> None:
        self.database = database
        self.upstreams = upstreams
        self.cancellations = cancellations
        self.settings = settings
        self.lease = timedelta(seconds=settings.saga_lease_seconds)

    # --- entry points -------------------------------------------------------------------

    async def place(self, request: PlaceOrder) -> Placed:
        """Create the order and carry it as far as it goes. A repeat of an Idempotency-Key
        answers the order the first request made (or 409 while it is still being placed)."""
        order = await self._insert(request)
        if order is None:
            assert request.idempotency_key is not None
            return await self._replay(request)
        try:
            finished = await self._advance(order)
        except (UpstreamRefusal, MixedCurrencies):
            ORDERS_PLACED.labels("refused").inc()
            raise
        except Unreachable as exc:
            ORDERS_PLACED.labels("incomplete").inc()
            raise CheckoutIncomplete(order.id, exc.detail) from exc
        return Placed(order.id, replayed=False, order=finished)

    async def pay(self, order_id: str, user_id: str, payment_method: str, key: str) -> None:
        """Another payment attempt for a pending order (after a declined card, say)."""
        now = utcnow()
        charge_key = f"pay:{key}"
        async with self.database.sessions() as session:
            repository = OrderRepository(session)
            started = await repository.start_step(
                order_id,
                user_id,
                PAYING,
                now + self.lease,
                now,
                payment_method=payment_method,
                charge_key=charge_key,
            )
            if not started:
                order = await repository.get_visible(order_id)
                if order is None or order.user_id != user_id:
                    raise OrderNotFound
                if order.step is not None:
                    raise OrderBusy
                raise OrderNotPending(order.status if order.status != "pending" else "expired")
            await session.commit()
            order = await repository.get(order_id)
        assert order is not None
        try:
            await self._advance(order)
        except Unreachable as exc:
            raise CheckoutIncomplete(order.id, exc.detail) from exc
        async with self.database.read_sessions() as session:
            after = await OrderRepository(session).get(order_id)
        if after is not None and after.status == "cancelled" and not after.is_paid:
            # The stock had been let go before this attempt, which then charged nothing:
            # there is no payment to answer, only an order that can no longer be paid.
            raise OrderNotPending("cancelled")

    async def resume(self, order_id: str) -> None:
        """Carry a stalled order forward (the recovery loop); refusals are final answers."""
        async with self.database.read_sessions() as session:
            order = await OrderRepository(session).get(order_id)
        if order is None or order.step not in (PLACING, PAYING):
            return
        try:
            await self._advance(order)
        except (UpstreamRefusal, MixedCurrencies) as refusal:
            log.info("stalled_checkout_refused", order_id=order_id, code=refusal.code)

    # --- the steps ----------------------------------------------------------------------

    async def _insert(self, request: PlaceOrder) -> Order | None:
        """The order, committed with `step = placing`; None if its Idempotency-Key was used."""
        now = utcnow()
        order_id = new_id()
        for _ in range(3):  # a clash of order numbers is astronomically rare, but not fatal
            order = Order(
                id=order_id,
                order_number=new_order_number(),
                user_id=request.user_id,
                status="pending",
                shipping_address=request.shipping_address,
                requested_lines=request.lines,
                payment_method=request.payment_method,
                charge_key=f"order:{order_id}" if request.payment_method else None,
                step=PLACING,
                step_due_at=now + self.lease,
                expires_at=now + timedelta(seconds=self.settings.reservation_ttl_seconds),
                idempotency_key=request.idempotency_key,
                request_fingerprint=request.fingerprint,
                created_at=now,
                updated_at=now,
                items=[],
                history=[],
            )
            async with self.database.sessions() as session:
                session.add(order)
                try:
                    await session.commit()
                except IntegrityError:
                    await session.rollback()
                    if request.idempotency_key is not None:
                        existing = await OrderRepository(session).by_idempotency_key(
                            request.user_id, request.idempotency_key
                        )
                        if existing is not None:
                            return None
                    continue
            return order
        raise RuntimeError("could not draw a free order number")

    async def _replay(self, request: PlaceOrder) -> Placed:
        assert request.idempotency_key is not None
        async with self.database.read_sessions() as session:
            order = await OrderRepository(session).by_idempotency_key(
                request.user_id, request.idempotency_key
            )
        if order is None:  # discarded meanwhile (its stock was refused): place it afresh
            return await self.place(request)
        if order.request_fingerprint != request.fingerprint:
            raise IdempotencyKeyReused
        if order.step == PLACING:
            raise IdempotencyKeyInFlight
        return Placed(order.id, replayed=True)

    async def _advance(self, order: Order) -> Order | None:
        """Carry the order through its step; the order as it ended, if this call ended it
        at rest (None when it was discarded, cancelled or finished by another process)."""
        step = order.step
        assert step in (PLACING, PAYING)
        try:
            lines = await self._reserve(order)
        except UpstreamRefusal:  # nothing was reserved: nothing to release
            await self._abandon(order.id, step, reserved=False)
            raise
        if lines is None:  # the hold lapsed before the order was placed: nothing to sell
            await self._cancel_unplaced(order.id)
            return None
        currencies = {line.get("currency", "USD") for line in lines}
        if len(currencies) > 1:  # one total, one charge: never a sum of dollars and euros
            await self._abandon(order.id, step, reserved=True)
            raise MixedCurrencies
        total = sum((Decimal(line["unit_price"]) * line["quantity"] for line in lines), Decimal(0))
        currency = currencies.pop() if currencies else "USD"
        charge: Charge | None = None
        if order.charge_key and order.payment_method:
            try:
                charge = await self.upstreams.charge(
                    order.charge_key,
                    order_id=order.id,
                    user_id=order.user_id,
                    amount=total,
                    currency=currency,
                    payment_method=order.payment_method,
                )
            except UpstreamRefusal:  # an unknown payment method: undo the order's reservation
                await self._abandon(order.id, step, reserved=True)
                raise
        paid = charge is not None and charge.failure_code is None
        if paid and not await self.upstreams.confirm(order.id):
            assert charge is not None
            await self._refund_and_cancel(order.id, step, lines, total, currency, charge)
            return None
        return await self._finish(order, step, lines, total, currency, charge)

    async def _reserve(self, order: Order) -> list[dict[str, Any]] | None:
        """The order's priced lines, from its reservation (made now or already): None when the
        reservation exists but was released."""
        ttl = self.settings.reservation_ttl_seconds + self.settings.reservation_grace_seconds
        reservation = await self.upstreams.reserve(order.id, order.requested_lines, ttl)
        if reservation.status == "released":
            return None
        return reservation.lines

    async def _finish(
        self,
        order: Order,
        step: str,
        lines: list[dict[str, Any]],
        total: Decimal,
        currency: str,
        charge: Charge | None,
    ) -> Order | None:
        """Works the outcome out on the order as this process knows it (no other writes an
        order in a step), then writes it if the order is still in that step."""
        status_before, items_from, history_from = order.status, len(order.items), len(order.history)
        if step == PLACING:
            self._price(order, lines, total, currency)
        order.updated_at = utcnow()
        outcome = "pending"
        if charge is not None:
            self._record_charge(order, charge)
            if charge.failure_code is None:
                order.move_to("paid", "Payment received.")
                outcome = "paid"
            else:
                outcome = "payment_failed"
        async with self.database.sessions() as session:
            finished = await OrderRepository(session).finish_step(
                order, step, status_before, items_from=items_from, history_from=history_from
            )
            if not finished:
                return None  # another process finished this step first
            if outcome == "paid":
                assert charge is not None
                await order_paid(session, order, self.settings.web_url, charge.transaction_id)
            await session.commit()
        if charge is not None and charge.failure_code is not None:
            PAYMENTS_FAILED.labels(charge.failure_code).inc()
        if step == PLACING:
            ORDERS_PLACED.labels(outcome).inc()
        return order

    async def _refund_and_cancel(
        self,
        order_id: str,
        step: str,
        lines: list[dict[str, Any]],
        total: Decimal,
        currency: str,
        charge: Charge,
    ) -> None:
        """Charged, but the stock was let go meanwhile: give the money back, cancel."""
        async with self.database.sessions() as session:
            order = await OrderRepository(session).get(order_id, for_update=True)
            if order is None or order.step != step:
                return
            if step == PLACING:
                self._price(order, lines, total, currency)
            self._record_charge(order, charge)
            await begin_cancellation(
                session, order, self.settings, reason=HOLD_LAPSED_REASON, cause="hold_lapsed"
            )
            await session.commit()
        await self.cancellations.settle(order_id)

    async def _cancel_unplaced(self, order_id: str) -> None:
        async with self.database.sessions() as session:
            order = await OrderRepository(session).get(order_id, for_update=True)
            if order is None or order.step not in (PLACING, PAYING):
                return
            if order.step == PLACING:
                self._price(order, [], Decimal(0), order.currency)
            await begin_cancellation(
                session, order, self.settings, reason=HOLD_LAPSED_REASON, cause="hold_lapsed"
            )
            await session.commit()
        await self.cancellations.settle(order_id)

    async def _abandon(self, order_id: str, step: str, *, reserved: bool) -> None:
        """A refusal ends the step. An order being placed was never seen: its stock (when it
        was reserved) goes back and the order is deleted. A pending order being paid stays
        pending, at rest, its stock still held for a later attempt."""
        if step == PLACING and reserved:
            await self.upstreams.release(order_id)
        async with self.database.sessions() as session:
            repository = OrderRepository(session)
            if step == PLACING:
                await repository.discard_unplaced(order_id)
            else:
                await repository.end_step(order_id, step)
            await session.commit()

    @staticmethod
    def _price(order: Order, lines: list[dict[str, Any]], total: Decimal, currency: str) -> None:
        order.record("pending", "Order placed.", order.created_at)
        # The reservation answers its lines by product id (its lock order); the shopper
        # reads them in the order they were asked for.
        asked: dict[str, int] = {}
        for index, requested in enumerate(order.requested_lines):
            asked.setdefault(str(requested["product_id"]), index)
        ordered = sorted(lines, key=lambda line: asked.get(line["product_id"], len(asked)))
        for position, line in enumerate(ordered):
            unit_price = Decimal(line["unit_price"])
            order.items.append(
                OrderItem(
                    id=new_id(),
                    order_id=order.id,
                    position=position,
                    product_id=line["product_id"],
                    name=line["name"],
                    sku=line["sku"],
                    quantity=line["quantity"],
                    unit_price=unit_price,
                    line_total=unit_price * line["quantity"],
                )
            )
        order.total_amount = total
        order.currency = currency

    @staticmethod
    def _record_charge(order: Order, charge: Charge) -> None:
        order.payment_id = charge.payment_id
        order.payment_status = "succeeded" if charge.failure_code is None else "failed"
        order.payment_failure_code = charge.failure_code
