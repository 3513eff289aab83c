"""Domain counters of the products service, served on `/metrics` beside the request metrics."""

from __future__ import annotations

from prometheus_client import Counter

CACHE_LOOKUPS = Counter(
    "mercato_products_cache_lookups_total",
    "Catalog reads by what the cache did: hit, miss, or bypass (store unreachable or off).",
    ["result"],
)
RESERVATIONS = Counter(
    "mercato_products_reservations_total",
    "Reservation calls by outcome: held, repeated, refused, confirmed, released, lapsed.",
    ["outcome"],
)
