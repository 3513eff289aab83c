"""Schemathesis fuzzes every public notifications endpoint in process: bad input is a 4xx in
problem+json, never a 5xx.

Called as an admin (to reach past authorization), as a customer and anonymously. An admin's
valid sends create real notifications, which the app's own sender then tries to deliver
(their made-up users are unknown to the users service: they fail, they do not crash it).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.schemas import APIOperation

from harness import bearer, key_source
from mercato.kit.settings import Settings
from mercato.notifications.app import create_app

PROBLEM = "application/problem+json"
CALLERS = {"admin": "admin", "customer": "customer", "anonymous": None}


def errors_are_problem_details(
    ctx: CheckContext, response: Response, case: schemathesis.Case
) -> None:
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type == PROBLEM, f"{response.status_code} answered as {content_type!r}"
        body = response.json()
        assert body["status"] == response.status_code, body
        assert body["title"], body
        assert body["detail"], body


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("caller", list(CALLERS))
def test_no_request_makes_a_server_error(
    notifications_settings: Settings, mode: GenerationMode, caller: str
) -> None:
    # Its own app: schemathesis serves it on an event loop of its own, lifespan included.
    app = create_app(notifications_settings, key_source=key_source())
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    role = CALLERS[caller]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    # Driven by hand rather than `schemathesis.pytest.from_fixture`, whose lazy loader reads a
    # pytest-private attribute that pytest 9 removed.
    for operation in operations:
        inputs = [operation.body, operation.query, operation.path_parameters]
        if mode is GenerationMode.NEGATIVE and not any(len(part) for part in inputs):
            continue
        fuzz(operation, mode, role)


def fuzz(operation: APIOperation, mode: GenerationMode, role: str | None) -> None:
    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def calls(case: schemathesis.Case) -> None:
        # A fresh token per call, so no call depends on another's.
        headers = bearer(role) if role else {}
        case.call_and_validate(
            headers=headers, checks=[not_a_server_error, errors_are_problem_details]
        )

    calls()
