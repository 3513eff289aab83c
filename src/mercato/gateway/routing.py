"""Which service answers a path, and the paths that are never routed from outside."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote


@dataclass(frozen=True, slots=True)
class Route:
    upstream: str
    prefix: str
    """The route family, the label requests are counted under in the metrics."""


# `/api/<segment>...` -> service; one dict lookup on the hot path.
_BY_SEGMENT: dict[str, Route] = {
    segment: Route(service, f"/api/{segment}")
    for segment, service in (
        ("auth", "users"),
        ("users", "users"),
        ("products", "products"),
        ("categories", "products"),
        ("orders", "orders"),
        ("payments", "payments"),
        ("notifications", "notifications"),
    )
}
_EXACT: dict[str, Route] = {
    "/.well-known/jwks.json": Route("users", "/.well-known/jwks.json"),
}
_SUSPICIOUS = ("%", "\\", "/.", ";")
_FORBIDDEN_SEGMENTS = frozenset({"internal", ".", ".."})


def resolve(path: str) -> Route | None:
    """The route for a decoded request path, or None: unknown, or never to be routed."""
    if path.startswith("/api/"):
        route = _BY_SEGMENT.get(path[5:].partition("/")[0])
    else:
        route = _EXACT.get(path)
    if route is None or is_forbidden(path):
        return None
    return route


def is_forbidden(path: str) -> bool:
    """True for any path that could reach an `/internal/` endpoint or climb out of its prefix.

    The path arrives decoded once; anything still encoded is decoded until it is stable, so
    `%2569nternal`, `..`, backslashes and `;` parameters are judged as the worst reading of
    them an upstream could make. Segments compare case-insensitively for the same reason.
    """
    lowered = path.lower()
    if "internal" not in lowered and not any(mark in lowered for mark in _SUSPICIOUS):
        return False
    for _ in range(5):
        decoded = unquote(lowered)
        if decoded == lowered:
            break
        lowered = decoded
    else:
        return True  # nested beyond any honest use
    for segment in lowered.replace("\\", "/").split("/"):
        if segment.partition(";")[0].strip() in _FORBIDDEN_SEGMENTS:
            return True
    return False
