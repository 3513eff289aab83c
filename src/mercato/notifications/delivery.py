"""The sender: a background loop that delivers pending emails and records each outcome.

Built like kit.outbox.OutboxRelay. A claim is a short transaction that leases a batch of due
notifications (pushes their `available_at` past the lease), so any number of instances of the
service share the work; each email is then sent outside any transaction, and its outcome
recorded in one more: `sent`, or a retry after a growing, jittered delay, or `failed` after the
last attempt. A sender that dies mid-batch leaves its claims to be taken again when the lease
runs out. A failed lookup or a refusing mail server is a failed attempt, never the loop's end.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import structlog

from mercato.kit.background import PollingWorker
from mercato.kit.db import Database
from mercato.kit.mail import EmailMessage
from mercato.kit.outbox import retry_delay
from mercato.notifications.contacts import Contacts
from mercato.notifications.errors import UndeliverableNotification
from mercato.notifications.metrics import (
    DELIVERY_ATTEMPTS_FAILED,
    NOTIFICATIONS_FAILED,
    NOTIFICATIONS_SENT,
)
from mercato.notifications.models import EMAIL
from mercato.notifications.repository import ClaimedEmail, NotificationRepository
from mercato.notifications.transport import MailTransport

MAX_RETRY_SECONDS = 600.0
_MAX_ERROR_CHARS = 2000
log = structlog.get_logger("mercato.notifications.delivery")


def _now() -> datetime:
    return datetime.now(UTC)


class NotificationSender(PollingWorker):
    def __init__(
        self,
        database: Database,
        transport: MailTransport,
        contacts: Contacts,
        *,
        max_attempts: int,
        retry_seconds: float,
        poll_interval: float,
        batch_size: int = 20,
        lease: float = 120.0,
    ) -> None:
        # Emails wait a moment for the ones committed just after: one claim per burst.
        super().__init__(
            "notification-sender", poll_interval=poll_interval, batch_size=batch_size, gather=0.05
        )
        self._db = database
        self._transport = transport
        self._contacts = contacts
        self.max_attempts = max_attempts
        self.retry_seconds = retry_seconds
        # Longer than a lookup plus an SMTP session can take (both time out well before),
        # so a live sender's claim never lapses into a second sending.
        self.lease = lease

    async def run_once(self) -> int:
        """Claim one batch of due emails and send them side by side; returns how many."""
        now = _now()
        async with self._db.sessions.begin() as session:
            claimed = await NotificationRepository(session).claim_due_emails(
                now, now + timedelta(seconds=self.lease), self.batch_size
            )
        outcomes = await asyncio.gather(
            *(self._send(email) for email in claimed), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):  # recording failed: the lease retries it
                log.error("notification_outcome_not_recorded", exc_info=outcome)
        return len(claimed)

    async def _send(self, email: ClaimedEmail) -> None:
        try:
            to = email.recipient or (await self._contacts.lookup(email.user_id)).email
            message = EmailMessage(
                to=to, subject=email.title, text=email.message, html=email.html or ""
            )
            await self._transport.send(message, email.id)
        except UndeliverableNotification as exc:
            await self._record_failure(email, exc, final=True)
        except Exception as exc:  # whatever failed, this attempt did: retried, never fatal
            await self._record_failure(email, exc, final=False)
        else:
            async with self._db.sessions.begin() as session:
                recorded = await NotificationRepository(session).record_sent(email, _now())
            if recorded:
                NOTIFICATIONS_SENT.labels(EMAIL).inc()

    async def _record_failure(self, email: ClaimedEmail, exc: Exception, *, final: bool) -> None:
        attempts = email.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_CHARS]
        DELIVERY_ATTEMPTS_FAILED.inc()
        final = final or attempts >= self.max_attempts
        delay = 0.0 if final else retry_delay(attempts, self.retry_seconds, MAX_RETRY_SECONDS)
        async with self._db.sessions.begin() as session:
            notifications = NotificationRepository(session)
            if final:
                recorded = await notifications.record_failed(email, error)
            else:
                retry_at = _now() + timedelta(seconds=delay)
                recorded = await notifications.record_retry(email, error, retry_at)
        if final and recorded:
            NOTIFICATIONS_FAILED.labels(EMAIL).inc()
        log.warning(
            "notification_failed" if final else "notification_retry",
            notification_id=email.id,
            attempts=attempts,
            retry_in=None if final else round(delay, 3),
            error=error,
        )

    def pass_failed(self) -> None:
        log.exception("notification_sender_error")
