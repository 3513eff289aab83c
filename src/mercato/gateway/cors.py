"""CORS for the configured origins and the storefront's, with credentials; preflights
answered by the gateway."""

from __future__ import annotations

from collections.abc import Iterable

from mercato.gateway.headers import RawHeaders
from mercato.kit.settings import Settings, url_origin

ALLOWED_METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = b"Authorization, Content-Type, Idempotency-Key, X-Request-ID"
EXPOSED_HEADERS = (
    b"X-Request-ID, X-Cache, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
)
PREFLIGHT_MAX_AGE = b"600"


def allowed_origins(settings: Settings) -> list[str]:
    """`MERCATO_CORS_ORIGINS`, and always the origin of `MERCATO_WEB_URL`: the storefront
    `mercato up` serves there calls the gateway from the browser."""
    try:
        storefront = url_origin(settings.web_url)
    except ValueError as exc:  # refused at start-up, naming the variable to fix
        raise ValueError(f"MERCATO_WEB_URL: {exc}") from exc
    return [*settings.cors_origins, storefront]


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
