"""All SQL of the notifications service, built from a session. Flushes, never commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.pagination import offset
from mercato.notifications.models import EMAIL, FAILED, PENDING, SENT, Notification

_N: Table = Notification.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class ClaimedEmail:
    """What the sender needs of one pending email it has claimed."""

    id: str
    user_id: str
    recipient: str | None
    title: str
    message: str
    html: str | None
    attempts: int
    """Attempts before this one: the outcome is recorded only if it is still this."""


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, notification: Notification) -> Notification:
        self.session.add(notification)
        await self.session.flush()
        return notification

    async def get(self, notification_id: str) -> Notification | None:
        return await self.session.get(Notification, notification_id)

    async def page(
        self, user_id: str | None, page: int, limit: int
    ) -> tuple[Sequence[Notification], int]:
        """Newest first: one user's notifications, or everyone's when `user_id` is None."""
        where = [] if user_id is None else [Notification.user_id == user_id]
        total = await self.session.scalar(select(func.count()).select_from(_N).where(*where))
        query = (
            select(Notification)
            .where(*where)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset(offset(page, limit))
            .limit(limit)
        )
        found = (await self.session.execute(query)).scalars().all()
        return found, int(total or 0)

    async def claim_due_emails(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[ClaimedEmail]:
        """Pending emails due by `now`, hidden from other senders until `lease_until`.

        `SKIP LOCKED` on PostgreSQL, so senders claiming at the same moment take disjoint
        batches; SQLite serialises the claims at BEGIN IMMEDIATE instead (kit.db).
        """
        due = (
            select(
                _N.c.id,
                _N.c.user_id,
                _N.c.recipient,
                _N.c.title,
                _N.c.message,
                _N.c.html,
                _N.c.attempts,
            )
            .where(_N.c.status == PENDING, _N.c.type == EMAIL, _N.c.available_at <= now)
            .order_by(_N.c.available_at, _N.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = (await self.session.execute(due)).all()
        if rows:
            await self.session.execute(
                update(_N)
                .where(_N.c.id.in_([row.id for row in rows]))
                .values(available_at=lease_until)
            )
        return [ClaimedEmail(*row) for row in rows]

    async def record_sent(self, claimed: ClaimedEmail, now: datetime) -> bool:
        return await self._record(
            claimed, status=SENT, attempts=claimed.attempts + 1, sent_at=now, last_error=None
        )

    async def record_retry(self, claimed: ClaimedEmail, error: str, retry_at: datetime) -> bool:
        return await self._record(
            claimed, attempts=claimed.attempts + 1, last_error=error, available_at=retry_at
        )

    async def record_failed(self, claimed: ClaimedEmail, error: str) -> bool:
        return await self._record(
            claimed, status=FAILED, attempts=claimed.attempts + 1, last_error=error
        )

    async def _record(self, claimed: ClaimedEmail, **values: Any) -> bool:
        # Only the attempt that was claimed: a sender whose lease ran out (and whose
        # notification another sender has claimed since) must not overwrite that outcome.
        result = await self.session.execute(
            update(_N)
            .where(
                _N.c.id == claimed.id,
                _N.c.status == PENDING,
                _N.c.attempts == claimed.attempts,
            )
            .values(values)
        )
        return bool(getattr(result, "rowcount", 0) == 1)
