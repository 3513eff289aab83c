"""Domain counters of the notifications service, served on `/metrics` beside the request metrics."""

from __future__ import annotations

from prometheus_client import Counter

NOTIFICATIONS_CREATED = Counter(
    "mercato_notifications_created_total",
    "Notifications recorded, by type (email, sms, push).",
    ["type"],
)
NOTIFICATIONS_SENT = Counter(
    "mercato_notifications_sent_total",
    "Notifications delivered, by type.",
    ["type"],
)
NOTIFICATIONS_FAILED = Counter(
    "mercato_notifications_failed_total",
    "Notifications given up (no provider, or their last attempt failed), by type.",
    ["type"],
)
DELIVERY_ATTEMPTS_FAILED = Counter(
    "mercato_notifications_delivery_failures_total",
    "Delivery attempts that failed (each is retried until the last one).",
)
