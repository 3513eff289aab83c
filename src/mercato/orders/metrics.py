"""The orders service's domain counters, beside the kit's request metrics."""

from __future__ import annotations

from prometheus_client import Counter

ORDERS_PLACED = Counter(
    "mercato_orders_placed_total",
    "Checkouts by outcome: paid, pending (no payment asked), payment_failed, refused "
    "(stock or input), incomplete (a service was down; recovery finishes them).",
    ["outcome"],
)
ORDERS_CANCELLED = Counter(
    "mercato_orders_cancelled_total",
    "Orders cancelled, by cause: customer, admin, lapsed (unpaid in time), hold_lapsed.",
    ["cause"],
)
PAYMENTS_FAILED = Counter(
    "mercato_orders_payments_failed_total",
    "Payment attempts of orders that the card processor declined, by failure code.",
    ["failure_code"],
)
SAGA_RECOVERED = Counter(
    "mercato_orders_saga_recovered_total",
    "Orders the recovery loop took over after their step stalled, by step.",
    ["step"],
)
