"""Header rules of the hop: what is stripped each way, what the gateway adds.

Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection and never cross the proxy.
Headers the gateway owns (request id, security, CORS, rate limit) are dropped from the
upstream's answer and set once by the gateway, so a client never sees two values.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from mercato.kit.clients import Network, parse_networks

RawHeaders = list[tuple[bytes, bytes]]

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
# Set by the gateway from what it saw, never passed through from the client; the service
# credential is stripped so no outside caller can present one through the gateway.
DROP_FROM_REQUEST = HOP_BY_HOP | {
    b"host",
    b"expect",
    b"x-forwarded-for",
    b"x-forwarded-proto",
    b"x-forwarded-host",
    b"x-request-id",
    b"x-service-token",
}
# `date` and `server` are added again by the gateway's own server.
DROP_FROM_RESPONSE = HOP_BY_HOP | {
    b"date",
    b"server",
    b"x-request-id",
    b"x-content-type-options",
    b"x-frame-options",
    b"referrer-policy",
    b"strict-transport-security",
    b"ratelimit-limit",
    b"ratelimit-remaining",
    b"ratelimit-reset",
    b"access-control-allow-origin",
    b"access-control-allow-credentials",
    b"access-control-allow-methods",
    b"access-control-allow-headers",
    b"access-control-expose-headers",
    b"access-control-max-age",
}
SECURITY_HEADERS: RawHeaders = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")


def connection_tokens(value: bytes | None) -> frozenset[bytes]:
    """Extra hop-by-hop headers a peer named in its `Connection` header."""
    if not value:
        return frozenset()
    return frozenset(token.strip().lower() for token in value.split(b",")) - {
        b"close",
        b"keep-alive",
    }


def response_headers(
    raw: Iterable[tuple[bytes, bytes]], extra: RawHeaders
) -> tuple[RawHeaders, int | None]:
    """The upstream's answer headers as the client gets them, and its Content-Length."""
    drop = DROP_FROM_RESPONSE
    kept: RawHeaders = []
    named: bytes | None = None
    length: int | None = None
    for name, value in raw:
        lowered = name.lower()
        if lowered == b"connection":
            named = value
        elif lowered == b"content-length" and value.isdigit():
            length = int(value)
        if lowered not in drop:
            kept.append((lowered, value))
    if named is not None and (tokens := connection_tokens(named)):
        kept = [(name, value) for name, value in kept if name not in tokens]
    kept += extra
    return kept, length


class TrustedProxies:
    """Whether a peer is one of `settings.trusted_proxies`, remembered per address."""

    def __init__(self, entries: Iterable[str]) -> None:
        self.entries = tuple(entries)
        self._networks: tuple[Network, ...] = parse_networks(self.entries)
        self._seen: dict[str, bool] = {}

    def __contains__(self, peer: str | None) -> bool:
        if not self._networks or peer is None:
            return False
        known = self._seen.get(peer)
        if known is None:
            try:
                ip = ipaddress.ip_address(peer)
                known = any(ip in network for network in self._networks)
            except ValueError:
                known = False
            if len(self._seen) < 4096:  # bounded: peers are attacker-chosen in number
                self._seen[peer] = known
        return known
