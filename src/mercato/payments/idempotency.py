"""The public Idempotency-Key routes (`POST /api/payments`, `POST /api/payments/{id}/refund`).

The key is claimed in the key-value store (kit.idempotency), scoped to the caller: a repeat
with the same body replays the stored answer with `Idempotent-Replayed: true`, another body
answers 422, and a repeat while the first is in flight 409. Only a success is remembered;
anything else releases the key so the client may retry. The key also reaches the database,
scoped to its caller by `caller_key`, so that even when the store loses a record a repeat
charges or refunds nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog
from fastapi import Request, Response

from mercato.kit.errors import ServiceUnavailable
from mercato.kit.idempotency import REPLAYED_HEADER, IdempotencyStore, fingerprint
from mercato.kit.kv import KeyValueUnavailable

JSON = "application/json"
log = structlog.get_logger("mercato.payments")


def caller_key(user_id: str, key: str) -> str:
    """A client's key as it reaches the database: scoped to its caller, of a fixed length."""
    # A newline cannot occur in a key (printable ASCII), so no two pairs join alike.
    return hashlib.sha256(f"{user_id}\n{key}".encode()).hexdigest()


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": JSON})
    remember: bool = True
    """False for an answer the client should be free to try again (a processing error)."""
    replayed: bool = False
    """The database already held what this key made (the store had lost its record)."""


async def answer_once(
    store: IdempotencyStore,
    request: Request,
    scope: str,
    key: str,
    produce: Callable[[], Awaitable[Answer]],
) -> Response:
    """`produce`'s answer the first time, the stored answer on a repeat with this key."""
    request_fingerprint = fingerprint(request.method, request.url.path, await request.body())
    try:
        replay = await store.claim(scope, key, request_fingerprint)
    except KeyValueUnavailable as exc:
        raise ServiceUnavailable("Idempotency keys cannot be checked right now.") from exc
    if replay is not None:
        return Response(replay.body, replay.status, {**replay.headers, REPLAYED_HEADER: "true"})

    try:
        answer = await produce()
    except Exception:
        await _release(store, scope, key)
        raise
    if answer.remember and 200 <= answer.status < 300:
        try:
            await store.complete(
                scope, key, request_fingerprint, answer.status, answer.headers, answer.body
            )
        except KeyValueUnavailable:
            # The database holds the key too: a repeat still makes nothing twice.
            log.warning("idempotency_record_lost", path=request.url.path)
    else:
        await _release(store, scope, key)
    headers = {**answer.headers, REPLAYED_HEADER: "true"} if answer.replayed else answer.headers
    return Response(answer.body, answer.status, headers)


async def _release(store: IdempotencyStore, scope: str, key: str) -> None:
    try:
        await store.abandon(scope, key)
    except KeyValueUnavailable:
        log.warning("idempotency_lock_kept", reason="store unavailable")  # it expires
