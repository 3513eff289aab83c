"""Failed-login throttling, per account and per client address.

Only failures count, so a shopper who signs in correctly is never slowed down; after
`LOGIN_FAILURES` failures in the window, either key answers 429 until the window ends.
"""

from __future__ import annotations

import contextlib

from mercato.kit.errors import ServiceUnavailable
from mercato.kit.kv import KeyValueStore, KeyValueUnavailable
from mercato.kit.ratelimit import RateLimiter
from mercato.users.errors import LoginThrottled

LOGIN_FAILURES = "10/15m"


class LoginThrottle:
    def __init__(self, kv: KeyValueStore) -> None:
        self.by_account = RateLimiter(kv, LOGIN_FAILURES, namespace="users:login-failures:account")
        self.by_address = RateLimiter(kv, LOGIN_FAILURES, namespace="users:login-failures:ip")

    async def check(self, account: str, address: str) -> None:
        """Refuse the attempt when either key has used up its failures."""
        try:
            decisions = [
                await self.by_account.peek(account.lower()),
                await self.by_address.peek(address),
            ]
        except KeyValueUnavailable as exc:
            # Without the counters brute force would be unlimited: refuse rather than guess.
            raise ServiceUnavailable("Sign-in is unavailable right now; retry shortly.") from exc
        blocked = [decision for decision in decisions if not decision.allowed]
        if blocked:
            wait = max(decision.reset_seconds for decision in blocked)
            raise LoginThrottled(
                "Too many failed sign-in attempts; retry later.",
                headers={"Retry-After": str(wait)},
            )

    async def record_failure(self, account: str, address: str) -> None:
        try:
            await self.by_account.hit(account.lower())
            await self.by_address.hit(address)
        except KeyValueUnavailable as exc:
            raise ServiceUnavailable("Sign-in is unavailable right now; retry shortly.") from exc

    async def forget_account(self, account: str) -> None:
        # Only the account's count: a correct password for one account must not wipe the
        # failures an address piled up against others.
        # On an outage the count simply lapses with its window.
        with contextlib.suppress(KeyValueUnavailable):
            await self.by_account.reset(account.lower())
