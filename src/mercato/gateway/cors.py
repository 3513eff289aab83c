"""CORS for the configured origins, with credentials; preflights answered by the gateway."""

from __future__ import annotations

from collections.abc import Iterable

from mercato.gateway.headers import RawHeaders

ALLOWED_METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = b"Authorization, Content-Type, Idempotency-Key, X-Request-ID"
EXPOSED_HEADERS = (
    b"X-Request-ID, X-Cache, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
)
PREFLIGHT_MAX_AGE = b"600"


class CorsPolicy:
    def __init__(self, origins: Iterable[str]) -> None:
        self.origins = frozenset(origin.rstrip("/").encode() for origin in origins)

    def response_headers(self, origin: bytes | None) -> RawHeaders:
        """Headers for an ordinary answer: CORS only for an allowed origin."""
        if origin is None or origin not in self.origins:
            return []
        return [
            (b"access-control-allow-origin", origin),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-expose-headers", EXPOSED_HEADERS),
            (b"vary", b"Origin"),
        ]

    def preflight_headers(self, origin: bytes | None) -> RawHeaders:
        """Headers for a preflight: none at all for an origin that is not allowed, so the
        browser refuses the real request."""
        if origin is None or origin not in self.origins:
            return [(b"vary", b"Origin")]
        return [
            (b"access-control-allow-origin", origin),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-allow-methods", ALLOWED_METHODS),
            (b"access-control-allow-headers", ALLOWED_HEADERS),
            (b"access-control-max-age", PREFLIGHT_MAX_AGE),
            (b"vary", b"Origin"),
        ]
