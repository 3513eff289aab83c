"""The gateway's Prometheus metrics: requests by upstream and route, latency, upstream
failures, rate-limit refusals and rate-limit store outages."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "mercato_gateway_requests_total",
    "Requests answered by the gateway, by upstream service, route prefix and status.",
    ["upstream", "route", "status"],
)
LATENCY = Histogram(
    "mercato_gateway_request_duration_seconds",
    "Time to answer a request through the gateway, by upstream service and route prefix.",
    ["upstream", "route"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
UPSTREAM_ERRORS = Counter(
    "mercato_gateway_upstream_errors_total",
    "Upstream calls that failed, by service and kind (connect, timeout, disconnected).",
    ["upstream", "kind"],
)
RATE_LIMITED = Counter(
    "mercato_gateway_rate_limited_total",
    "Requests refused with 429, by the limit that refused them.",
    ["limit"],
)
RATE_LIMIT_STORE_ERRORS = Counter(
    "mercato_gateway_rate_limit_store_errors_total",
    "Requests whose rate limit could not be counted because the key-value store was down.",
    ["limit", "outcome"],
)


class RequestMetrics:
    """Counts one answered request; label children are cached because `.labels()` is costly."""

    def __init__(self) -> None:
        self._counters: dict[tuple[str, str, int], Counter] = {}
        self._histograms: dict[tuple[str, str], Histogram] = {}

    def observe(self, upstream: str, route: str, status: int, seconds: float) -> None:
        key = (upstream, route, status)
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = REQUESTS.labels(upstream, route, str(status))
        counter.inc()
        histogram = self._histograms.get((upstream, route))
        if histogram is None:
            histogram = self._histograms[(upstream, route)] = LATENCY.labels(upstream, route)
        histogram.observe(seconds)
