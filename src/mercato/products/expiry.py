"""Releases reservations whose orders were never paid, so their stock goes back on sale.

Every instance sweeps; lapsed rows are locked with SKIP LOCKED, so instances share the work.
The orders service normally cancels a lapsed order itself (and so releases it); this is the
safety net for an order service that is down, or an order that was never created.
"""

from __future__ import annotations

import asyncio
import random

import structlog

from mercato.kit.background import BackgroundTask
from mercato.kit.db import Database
from mercato.kit.types import utcnow
from mercato.products.cache import CatalogCache
from mercato.products.changes import catalog_write
from mercato.products.inventory import release_lapsed

log = structlog.get_logger("mercato.products.expiry")


async def sweep_once(database: Database, cache: CatalogCache, batch: int = 100) -> int:
    """One pass: releases up to `batch` lapsed reservations in one unit of work."""
    async with catalog_write(database, cache) as session:
        released = await release_lapsed(session, utcnow(), batch)
    if released:
        log.info("reservations_lapsed", count=len(released))
    return len(released)


class ReservationExpiry(BackgroundTask):
    def __init__(self, database: Database, cache: CatalogCache, interval: float) -> None:
        super().__init__(self._loop, name="reservation-expiry")
        self.database = database
        self.cache = cache
        self.interval = interval

    async def _loop(self) -> None:
        while True:
            # Jittered, so instances started together do not sweep in lockstep.
            await asyncio.sleep(self.interval * random.uniform(0.5, 1.0))
            try:
                while await sweep_once(self.database, self.cache) > 0:
                    pass
            except Exception:  # a database blip must not end the loop
                log.exception("reservation_sweep_failed")
