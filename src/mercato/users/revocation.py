"""Access-token revocation in the shared key-value store, which every service checks."""

from __future__ import annotations

import time

from mercato.kit.auth import Principal, revoked_before_key, revoked_token_key
from mercato.kit.errors import ServiceUnavailable
from mercato.kit.kv import KeyValueStore, KeyValueUnavailable


async def revoke_access_token(kv: KeyValueStore, principal: Principal) -> None:
    """Until the token would have expired anyway; then the entry is no longer needed."""
    remaining = max(1.0, principal.expires_at - time.time() + 5)
    try:
        await kv.set(revoked_token_key(principal.jti), b"1", ttl=remaining)
    except KeyValueUnavailable as exc:
        raise _unavailable() from exc


async def revoke_access_tokens_of(kv: KeyValueStore, user_id: str, ttl_seconds: int) -> None:
    """Every access token of the user issued until now stops working, on every service."""
    try:
        await kv.set(revoked_before_key(user_id), repr(time.time()), ttl=ttl_seconds + 60)
    except KeyValueUnavailable as exc:
        raise _unavailable() from exc


def _unavailable() -> ServiceUnavailable:
    # The change must not be reported done while tokens it should end still work.
    return ServiceUnavailable("Tokens cannot be revoked right now; retry shortly.")
