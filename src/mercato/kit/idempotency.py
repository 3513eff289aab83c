"""Idempotency keys (API.md): the first request with a key runs, repeats replay its answer.

One record per (scope, key) in the key-value store. `begin` creates it as an in-flight lock
with `set_if_absent`, which is atomic on Redis and on the embedded store across processes, so
of any number of concurrent requests with one key exactly one proceeds. `complete` replaces the
lock with the stored answer for `ttl` (24 h); `abandon` drops the lock so the client may retry.
The lock expires by itself after `lock_ttl`, so a process that dies mid-request does not block
the key forever.

Usage in a route (or a service function), with `scope` the caller's user id:

    fp = fingerprint(request.method, request.url.path, body)
    replay = await store.claim(user.id, key, fp)  # raises the 409 / 422 problems
    if replay:
        return Response(replay.body, replay.status, {**replay.headers, REPLAYED_HEADER: "true"})
    try:
        answer = await handle()
    except ValidationFailed:
        await store.abandon(user.id, key)  # a rejected request is not remembered
        raise
    await store.complete(user.id, key, fp, answer.status, headers, answer.body)
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from mercato.kit.errors import MercatoError, ValidationFailed
from mercato.kit.kv import KeyValueStore

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"

_KEY = re.compile(r"[\x20-\x7e]{1,255}")  # printable ASCII, as Stripe and the IETF draft allow
_IN_FLIGHT = "in_flight"
_DONE = "done"


class IdempotencyKeyInFlight(MercatoError):
    status = 409
    code = "idempotency_in_flight"
    title = "Request in progress"

    def __init__(self) -> None:
        super().__init__("A request with this Idempotency-Key is still being processed.")


class IdempotencyKeyReused(MercatoError):
    status = 422
    code = "idempotency_key_reused"
    title = "Idempotency key reused"

    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was already used with a different request.")


class InvalidIdempotencyKey(ValidationFailed):
    def __init__(self) -> None:
        super().__init__(HEADER, "Must be 1 to 255 printable ASCII characters.")


def validate_key(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise InvalidIdempotencyKey()
    return key


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What makes two requests "the same": method, path and the exact body bytes."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))  # length-prefixed: no ambiguous joins
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class Proceed:
    """The caller holds the key's lock: process, then `complete` or `abandon`."""


@dataclass(frozen=True)
class Replay:
    """The stored answer of the first request with this key and this fingerprint."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class InFlight:
    """The first request with this key is still being processed (answer 409)."""


@dataclass(frozen=True)
class Mismatch:
    """The key was used with another request (answer 422)."""


Begin = Proceed | Replay | InFlight | Mismatch


class IdempotencyStore:
    def __init__(self, kv: KeyValueStore, *, ttl: float = 86400, lock_ttl: float = 60) -> None:
        self._kv = kv
        self.ttl = ttl
        self.lock_ttl = lock_ttl

    fingerprint = staticmethod(fingerprint)

    @staticmethod
    def _record_key(scope: str, key: str) -> str:
        # Hashed: keys are client text, and scope + key must not collide across callers.
        name = hashlib.sha256(json.dumps([scope, key]).encode()).hexdigest()
        return f"idempotency:{name}"

    async def begin(self, scope: str, key: str, fingerprint: str) -> Begin:
        validate_key(key)
        record_key = self._record_key(scope, key)
        lock = json.dumps({"state": _IN_FLIGHT, "fingerprint": fingerprint})
        # Twice at most: the record seen as present may expire before it is read.
        for _ in range(2):
            if await self._kv.set_if_absent(record_key, lock, self.lock_ttl):
                return Proceed()
            raw = await self._kv.get(record_key)
            if raw is not None:
                return self._outcome(json.loads(raw), fingerprint)
        return InFlight()

    @staticmethod
    def _outcome(record: dict[str, Any], fingerprint: str) -> Begin:
        if record["fingerprint"] != fingerprint:
            return Mismatch()
        if record["state"] == _IN_FLIGHT:
            return InFlight()
        return Replay(
            status=int(record["status"]),
            headers=dict(record["headers"]),
            body=base64.b64decode(record["body"]),
        )

    async def claim(self, scope: str, key: str, fingerprint: str) -> Replay | None:
        """`begin`, raising for the 409 and 422 cases: None means proceed."""
        outcome = await self.begin(scope, key, fingerprint)
        if isinstance(outcome, InFlight):
            raise IdempotencyKeyInFlight()
        if isinstance(outcome, Mismatch):
            raise IdempotencyKeyReused()
        if isinstance(outcome, Replay):
            return outcome
        return None

    async def complete(
        self,
        scope: str,
        key: str,
        fingerprint: str,
        status: int,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        """Store the answer for `ttl`; repeats of the request replay it from now on."""
        record = {
            "state": _DONE,
            "fingerprint": fingerprint,
            "status": status,
            "headers": headers,
            "body": base64.b64encode(body).decode(),
        }
        await self._kv.set(self._record_key(scope, key), json.dumps(record), self.ttl)

    async def abandon(self, scope: str, key: str) -> None:
        """Release the lock without storing an answer (the request was rejected or crashed)."""
        await self._kv.delete(self._record_key(scope, key))
