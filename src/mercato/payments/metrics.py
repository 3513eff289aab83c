"""Domain counters of the payments service, served on `/metrics` beside the request metrics."""

from __future__ import annotations

from prometheus_client import Counter

PAYMENTS = Counter(
    "mercato_payments_total",
    "Card charges by outcome: succeeded, or the failure code (card_declined, processing_error...).",
    ["outcome"],
)
REFUNDS = Counter(
    "mercato_payments_refunds_total",
    "Refunds made, by the status they left the payment in: partially_refunded or refunded.",
    ["status"],
)
