"""Domain counters of the users service, served on `/metrics` beside the request metrics."""

from __future__ import annotations

from prometheus_client import Counter

REGISTRATIONS = Counter("mercato_users_registrations_total", "Accounts opened.")
LOGINS = Counter(
    "mercato_users_logins_total",
    "Sign-in attempts by outcome: success, invalid_credentials, suspended, throttled.",
    ["outcome"],
)
REFRESH_REUSE = Counter(
    "mercato_users_refresh_token_reuse_total",
    "Spent refresh tokens presented again (each revoked a whole session).",
)
