"""Schemathesis fuzzes every public notifications endpoint in process: bad input is a 4xx in
problem+json, never a 5xx.

Called as an admin (to reach past authorization), as a customer and anonymously. An admin's
valid sends create real notifications, which the app's own sender then tries to deliver
(their made-up users are unknown to the users service: they fail, they do not crash it).
"""

from __future__ import annotations

import pytest
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from harness import (
    MODES,
    bearer,
    client_errors_are_problem_details,
    fuzz,
    key_source,
    openapi_operations,
)
from mercato.kit.settings import Settings
from mercato.notifications.app import create_app

CALLERS = {"admin": "admin", "customer": "customer", "anonymous": None}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("caller", list(CALLERS))
async def test_no_request_makes_a_server_error(
    notifications_settings: Settings, mode: GenerationMode, caller: str
) -> None:
    # Its own app: schemathesis serves it on an event loop of its own, lifespan included.
    operations = openapi_operations(create_app(notifications_settings, key_source=key_source()))
    assert operations
    role = CALLERS[caller]

    def headers() -> dict[str, str]:
        # A fresh token per call, so no call depends on another's.
        return bearer(role) if role else {}

    await fuzz(
        operations,
        mode,
        headers=headers,
        checks=[not_a_server_error, client_errors_are_problem_details],
        max_examples=25,
    )
