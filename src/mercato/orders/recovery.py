"""The recovery loop: no order stays mid-step, no pending order outlives its payment window.

Every `saga_recovery_seconds`, each orders process claims orders whose step has been in
progress longer than its lease (the process running it crashed, or a service it called was
down) and carries them on from where they are: steps are idempotent, so repeating one is
safe. It also cancels pending orders whose payment window closed. Claims use
`FOR UPDATE SKIP LOCKED` and push the lease forward, so several instances share the work.
Started with the app, so a restarted process first finishes what its predecessor left.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import structlog

from mercato.kit.background import BackgroundTask
from mercato.kit.db import Database
from mercato.kit.types import utcnow
from mercato.orders.cancellation import CANCELLING, Cancellations
from mercato.orders.checkout import Checkout
from mercato.orders.metrics import SAGA_RECOVERED
from mercato.orders.repository import OrderRepository

BATCH = 50
log = structlog.get_logger("mercato.orders")


class Recovery:
    def __init__(
        self,
        database: Database,
        checkout: Checkout,
        cancellations: Cancellations,
        *,
        interval: float,
        lease: float,
    ) -> None:
        self.database = database
        self.checkout = checkout
        self.cancellations = cancellations
        self.interval = interval
        self.lease = timedelta(seconds=lease)
        self._background = BackgroundTask(self._loop, "orders-recovery")

    async def run_once(self) -> int:
        """One pass: stalled steps first, then lapsed orders; returns the orders handled."""
        handled = 0
        while True:
            async with self.database.sessions() as session:
                claimed = await OrderRepository(session).claim_stalled(utcnow(), self.lease, BATCH)
                await session.commit()
            for order_id, step in claimed:
                SAGA_RECOVERED.labels(step).inc()
                await self._carry_on(order_id, step)
            handled += len(claimed)
            if len(claimed) < BATCH:
                break
        while (lapsed := await self.cancellations.lapse_due(BATCH)) > 0:
            handled += lapsed
            if lapsed < BATCH:
                break
        return handled

    async def _carry_on(self, order_id: str, step: str) -> None:
        try:
            if step == CANCELLING:
                await self.cancellations.settle(order_id)
            else:
                await self.checkout.resume(order_id)
        except Exception:  # one order's trouble must not stop the others' recovery
            log.exception("order_recovery_failed", order_id=order_id, step=step)

    def start(self) -> None:
        self._background.start()

    async def stop(self) -> None:
        await self._background.stop()

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # a database blip: the next pass retries
                log.exception("order_recovery_pass_failed")
            await asyncio.sleep(self.interval)
