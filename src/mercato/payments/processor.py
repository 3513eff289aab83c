"""The mock card processor: behaves like a card network's test mode, deterministically.

The test payment method decides the outcome (API.md): `pm_card_visa` and `pm_card_mastercard`
succeed, the others fail with their failure code. Every call takes `latency` seconds, like a
real processor's round trip, so callers must never hold a database transaction across a charge.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

PaymentMethod = Literal[
    "pm_card_visa",
    "pm_card_mastercard",
    "pm_card_chargeDeclined",
    "pm_card_chargeDeclinedInsufficientFunds",
    "pm_card_chargeDeclinedExpiredCard",
    "pm_card_processingError",
]

PROCESSING_ERROR = "processing_error"
"""The one failure that says nothing about the card: the same charge may be tried again."""

FAILURES: dict[str, str | None] = {
    "pm_card_visa": None,
    "pm_card_mastercard": None,
    "pm_card_chargeDeclined": "card_declined",
    "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds",
    "pm_card_chargeDeclinedExpiredCard": "expired_card",
    "pm_card_processingError": PROCESSING_ERROR,
}


@dataclass(frozen=True)
class ChargeOutcome:
    transaction_id: str | None
    """The processor's charge id (`ch_<24 hex>`); None when it failed before making one."""
    failure_code: str | None

    @property
    def succeeded(self) -> bool:
        return self.failure_code is None


def _processor_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class MockCardProcessor:
    def __init__(self, latency: float) -> None:
        self.latency = latency

    async def charge(
        self, *, key: str, amount: Decimal, currency: str, payment_method: str
    ) -> ChargeOutcome:
        """Charge the card. `key` is what a real processor takes as its own idempotency key,
        so that a charge repeated after a lost answer is not made twice."""
        await asyncio.sleep(self.latency)
        failure = FAILURES[payment_method]
        if failure == PROCESSING_ERROR:
            return ChargeOutcome(None, failure)
        return ChargeOutcome(_processor_id("ch"), failure)

    async def refund(self, *, key: str, transaction_id: str | None, amount: Decimal) -> str:
        """Give `amount` back on the charge; answers the processor's refund id."""
        await asyncio.sleep(self.latency)
        return _processor_id("re")
