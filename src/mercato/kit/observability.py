"""Prometheus metrics and the `/health` and `/metrics` endpoints every service serves."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

REQUESTS = Counter(
    "mercato_http_requests_total",
    "HTTP requests answered, by service, method, route and status.",
    ["service", "method", "route", "status"],
)
LATENCY = Histogram(
    "mercato_http_request_duration_seconds",
    "Time to answer an HTTP request, by service, method and route.",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

HealthCheck = Callable[[], Awaitable[None]]


def observe_request(service: str, method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(service, method, route, str(status)).inc()
    LATENCY.labels(service, method, route).observe(seconds)


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def health_endpoint(
    service: str, checks: dict[str, HealthCheck]
) -> Callable[[Request], Awaitable[Response]]:
    """`GET /health`: 200 when every dependency answers, 503 naming the ones that do not."""

    async def health(_: Request) -> Response:
        results: dict[str, dict[str, object]] = {}
        healthy = True
        for name, check in checks.items():
            started = time.perf_counter()
            try:
                await check()
                results[name] = {"status": "ok"}
            except Exception as exc:  # a health check reports every failure, whatever it is
                healthy = False
                results[name] = {"status": "down", "error": type(exc).__name__}
            results[name]["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return JSONResponse(
            {"status": "ok" if healthy else "degraded", "service": service, "checks": results},
            status_code=200 if healthy else 503,
        )

    return health
