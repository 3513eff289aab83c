"""Schemathesis fuzzes every payments endpoint in process: bad input is a 4xx in
problem+json, never a 5xx.

Public endpoints are called as an admin (to reach past authorization), as a customer and
anonymously; the internal ones with the service token. Valid-looking calls on one payment are
sent to real payments, so refunds reach the database instead of stopping at 404. No orders
service runs here, so a valid `POST /api/payments` may answer 503, and only that.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext
from schemathesis.core.transport import Response
from schemathesis.schemas import APIOperation

from harness import bearer

from .support import SERVICE, make_payment

PROBLEM = "application/problem+json"
CALLERS = {
    "admin": bearer("admin"),
    "customer": bearer("customer"),
    "anonymous": {},
    "service": SERVICE,
}


def no_server_error(ctx: CheckContext, response: Response, case: schemathesis.Case) -> None:
    paying = case.operation.method.upper() == "POST" and case.operation.path == "/api/payments"
    if paying and response.status_code == 503:
        return  # the orders service, which runs the charge, is not running here
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"


def errors_are_problem_details(
    ctx: CheckContext, response: Response, case: schemathesis.Case
) -> None:
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type == PROBLEM, f"{response.status_code} answered as {content_type!r}"
        body = response.json()
        assert body["status"] == response.status_code, body
        assert body["title"], body
        assert body["detail"], body


@pytest.fixture
async def payment_ids(client: httpx.AsyncClient) -> list[str]:
    return [(await make_payment(client, amount="50.00"))["id"] for _ in range(2)]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("caller", list(CALLERS))
def test_no_request_makes_a_server_error(
    new_app: Callable[..., FastAPI], payment_ids: list[str], mode: GenerationMode, caller: str
) -> None:
    # Its own app: schemathesis serves it on an event loop of its own.
    schema = schemathesis.openapi.from_asgi("/openapi.json", new_app())
    operations = [result.ok() for result in schema.get_all_operations()]
    chosen = [
        operation
        for operation in operations
        if operation.path.startswith("/internal/") == (caller == "service")
    ]
    assert chosen, caller

    # Driven by hand rather than `schemathesis.pytest.from_fixture`, whose lazy loader reads a
    # pytest-private attribute that pytest 9 removed.
    for operation in chosen:
        fuzz(operation, mode, CALLERS[caller], payment_ids)


def fuzz(
    operation: APIOperation, mode: GenerationMode, headers: dict[str, str], payment_ids: list[str]
) -> None:
    aim_at_real_payments = mode is GenerationMode.POSITIVE and "{payment_id}" in operation.path

    @given(case=operation.as_strategy(mode), payment_id=st.sampled_from(payment_ids))
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def calls(case: schemathesis.Case, payment_id: str) -> None:
        if aim_at_real_payments:
            case.path_parameters = {**(case.path_parameters or {}), "payment_id": payment_id}
        case.call_and_validate(
            headers=dict(headers),
            checks=[no_server_error, errors_are_problem_details],
        )

    calls()
