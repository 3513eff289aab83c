"""The users service's periodic purge of rows nobody can use any more: dead refresh tokens,
spent or expired one-time tokens, and outbox events delivered long ago.

Every instance runs it; a pass is idempotent and works in bounded batches (kit.retention), so
instances running at the same moment share the work instead of fighting over it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import ColumnElement, Table, exists
from sqlalchemy.orm import aliased

from mercato.kit.background import PeriodicJob
from mercato.kit.db import Database
from mercato.kit.outbox import purge_delivered
from mercato.kit.retention import delete_in_batches
from mercato.kit.types import utcnow
from mercato.users.models import OneTimeToken, RefreshToken, outbox

REFRESH_TOKEN_RETENTION = timedelta(days=7)
ONE_TIME_TOKEN_RETENTION = timedelta(days=1)
OUTBOX_RETENTION = timedelta(days=7)

log = structlog.get_logger("mercato.users.housekeeping")


def _table(model: type[RefreshToken] | type[OneTimeToken]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def dead_refresh_tokens(now: datetime, retention: timedelta) -> ColumnElement[bool]:
    """Refresh tokens that can no longer matter, `retention` after they stopped mattering.

    A spent token must stay known while its family may still be alive: presenting it again is
    how reuse is detected, and that revokes the family (sessions.rotate_refresh_token). So:
    - a token expired before the cutoff goes. Rotation checks expiry *before* reuse, so an
      expired spent token is already refused without revoking anything: deleting it changes
      no answer. While it has not expired, its family is alive too (its successor was issued
      later, so it expires later), and an unrevoked spent token is kept.
    - a revoked token goes once revoked before the cutoff *and* no unrevoked, unexpired token
      is left in its family. Revocation covers the whole family and a revoked token can never
      be rotated, so the family is dead; the second check keeps the family's tokens should a
      rotation racing with the revocation have slipped a live token in, so that presenting an
      old one still revokes it.
    """
    cutoff = now - retention
    live = aliased(RefreshToken)
    family_has_live_token = exists().where(
        live.family_id == RefreshToken.family_id,
        live.revoked_at.is_(None),
        live.expires_at > now,
    )
    revoked_family = RefreshToken.revoked_at < cutoff
    return (RefreshToken.expires_at < cutoff) | (revoked_family & ~family_has_live_token)


def dead_one_time_tokens(now: datetime, retention: timedelta) -> ColumnElement[bool]:
    """Reset and verification tokens used or expired before the cutoff: an unknown token gets
    the same 400 as a used or expired one."""
    cutoff = now - retention
    return (OneTimeToken.expires_at < cutoff) | (OneTimeToken.used_at < cutoff)


@dataclass(frozen=True)
class Purged:
    refresh_tokens: int
    one_time_tokens: int
    outbox_events: int


class Housekeeping:
    """Purges every `interval` seconds (jittered, so instances started together drift apart)
    in the background between `start()` and `stop()`; `run_once()` is one pass."""

    def __init__(
        self,
        database: Database,
        *,
        interval: float = 3600.0,
        batch_size: int = 500,
        refresh_token_retention: timedelta = REFRESH_TOKEN_RETENTION,
        one_time_token_retention: timedelta = ONE_TIME_TOKEN_RETENTION,
        outbox_retention: timedelta = OUTBOX_RETENTION,
    ) -> None:
        self._db = database
        self.interval = interval
        self.batch_size = batch_size
        self.refresh_token_retention = refresh_token_retention
        self.one_time_token_retention = one_time_token_retention
        self.outbox_retention = outbox_retention
        self._job = PeriodicJob(self.run_once, "users-housekeeping", interval=interval)

    async def run_once(self) -> Purged:
        now = utcnow()
        purged = Purged(
            refresh_tokens=await delete_in_batches(
                self._db,
                _table(RefreshToken),
                dead_refresh_tokens(now, self.refresh_token_retention),
                batch_size=self.batch_size,
            ),
            one_time_tokens=await delete_in_batches(
                self._db,
                _table(OneTimeToken),
                dead_one_time_tokens(now, self.one_time_token_retention),
                batch_size=self.batch_size,
            ),
            outbox_events=await purge_delivered(
                self._db, outbox, self.outbox_retention, batch_size=self.batch_size
            ),
        )
        counts = asdict(purged)
        if any(counts.values()):
            log.info("users_housekeeping", **counts)
        return purged

    def start(self) -> None:
        self._job.start()

    async def stop(self) -> None:
        await self._job.stop()
