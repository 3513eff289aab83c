"""The gateway's rate limits: one general limit per client, and a stricter one on the auth
routes that guess passwords or send mail, counted per client and per account.

When the key-value store is down the general limit fails open: refusing every request
because a counter cannot be read would turn a cache outage into a full outage, and the
services keep their own per-client limits behind the gateway. The outage is logged and
counted loudly. The auth limit fails closed (503): it is what stands between an attacker and
password guessing or mail flooding, and those routes can wait for the store to come back.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time

import structlog

from mercato.gateway.metrics import RATE_LIMIT_STORE_ERRORS, RATE_LIMITED
from mercato.kit.kv import KeyValueStore, KeyValueUnavailable
from mercato.kit.ratelimit import RateDecision, RateLimiter

log = structlog.get_logger("mercato.gateway")

STRICT_AUTH_PATHS = frozenset(
    {
        "/api/auth/login",
        "/api/auth/register",
        "/api/auth/password-reset",
        "/api/auth/password-reset/confirm",
    }
)
_OUTAGE_LOG_EVERY_SECONDS = 10.0


class StoreDown(Exception):
    """The auth limit cannot be counted: the request must be refused (fail closed)."""


def is_strict_auth(method: str, path: str) -> bool:
    return method == "POST" and path.rstrip("/") in STRICT_AUTH_PATHS


def account_of(body: bytes) -> str | None:
    """The account an auth request is about: its JSON body's `email`, hashed so the store
    never holds addresses. None when the body names none."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    email = document.get("email") if isinstance(document, dict) else None
    if not isinstance(email, str) or not email.strip():
        return None
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def strictest(decisions: list[RateDecision]) -> RateDecision:
    """The decision whose headers the client sees: a refusal, else the fewest remaining."""
    refused = [d for d in decisions if not d.allowed]
    if refused:
        return max(refused, key=lambda d: d.reset_seconds)
    return min(decisions, key=lambda d: d.remaining)


class GatewayLimits:
    def __init__(self, kv: KeyValueStore, rate: str, auth_rate: str) -> None:
        self.general = RateLimiter(kv, rate, namespace="gw", lease=True)
        self.auth_ip = RateLimiter(kv, auth_rate, namespace="gw-auth-ip")
        self.auth_account = RateLimiter(kv, auth_rate, namespace="gw-auth-account")
        self._last_outage_log = 0.0
        self._outages = 0

    async def check_general(self, client: str) -> RateDecision | None:
        """The general limit; None when the store is down (fail open)."""
        try:
            decision = await self.general.hit(client)
        except KeyValueUnavailable as exc:
            self._store_down("general", "allowed", exc)
            return None
        if not decision.allowed:
            RATE_LIMITED.labels("general").inc()
        return decision

    async def check_auth(self, client: str, account: str | None) -> RateDecision:
        """The strict auth limits, per client and per account; raises `StoreDown`."""
        hits = [self.auth_ip.hit(client)]
        if account is not None:
            hits.append(self.auth_account.hit(account))
        try:
            decisions = list(await asyncio.gather(*hits))
        except KeyValueUnavailable as exc:
            self._store_down("auth", "refused", exc)
            raise StoreDown from exc
        decision = strictest(decisions)
        if not decision.allowed:
            RATE_LIMITED.labels("auth").inc()
        return decision

    def _store_down(self, limit: str, outcome: str, exc: Exception) -> None:
        RATE_LIMIT_STORE_ERRORS.labels(limit, outcome).inc()
        self._outages += 1
        now = time.monotonic()
        # Loud but bounded: one error line per interval, with how many requests it covers.
        if now - self._last_outage_log >= _OUTAGE_LOG_EVERY_SECONDS:
            log.error(
                "rate_limit_store_unavailable",
                limit=limit,
                outcome=outcome,
                requests=self._outages,
                error=str(exc),
            )
            self._last_outage_log = now
            self._outages = 0
