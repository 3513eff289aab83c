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
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext
from schemathesis.core.transport import Response

from harness import (
    MODES,
    RealIds,
    bearer,
    errors_are_problem_details,
    for_caller,
    fuzz,
    openapi_operations,
)

from .support import SERVICE, make_payment

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


@pytest.fixture
async def payment_ids(client: httpx.AsyncClient) -> list[str]:
    return [(await make_payment(client, amount="50.00"))["id"] for _ in range(2)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("caller", list(CALLERS))
async def test_no_request_makes_a_server_error(
    new_app: Callable[..., FastAPI], payment_ids: list[str], mode: GenerationMode, caller: str
) -> None:
    # Its own app: schemathesis serves it on an event loop of its own.
    operations = openapi_operations(new_app())
    chosen = for_caller(operations, service=caller == "service")
    assert chosen, caller

    await fuzz(
        chosen,
        mode,
        headers=CALLERS[caller],
        # Every error, the 503 included, answers in problem details.
        checks=[no_server_error, errors_are_problem_details],
        max_examples=25,
        real_ids=RealIds("payment_id", payment_ids),
    )
