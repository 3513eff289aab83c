"""Schemathesis fuzzes every public orders endpoint: bad input is a 4xx in problem+json, never
a 5xx.

The app under test is an orders instance in process, talking to the stack's real products and
payments. Calls are made as an admin, as a customer who owns orders, and anonymously; valid
looking calls on one order are aimed at real orders (the customer's own), so reads, status
changes and cancellations reach the saga instead of stopping at 404.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.schemas import APIOperation

from harness import Stack, key_source
from mercato.orders.app import create_app

from .support import ADMIN, Shopper, make_product, placed

PROBLEM = "application/problem+json"
SHOPPER = Shopper()
CALLERS = {"admin": ADMIN, "customer": SHOPPER.headers, "anonymous": {}}


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


@pytest.fixture
async def order_ids(orders: httpx.AsyncClient, products: httpx.AsyncClient) -> list[str]:
    product = await make_product(products, stock=50)
    return [(await placed(orders, SHOPPER, [(product["id"], 1)]))["id"] for _ in range(3)]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("caller", list(CALLERS))
def test_no_request_makes_a_server_error(
    stack: Stack, order_ids: list[str], mode: GenerationMode, caller: str
) -> None:
    # Its own app (schemathesis serves it on an event loop of its own), with a recovery loop
    # that stays out of the way of the stack's.
    app = create_app(
        stack.settings.model_copy(update={"saga_recovery_seconds": 3600}), key_source=key_source()
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {(operation.method.upper(), operation.path) for operation in operations} == {
        ("POST", "/api/orders"),
        ("GET", "/api/orders"),
        ("GET", "/api/orders/{order_id}"),
        ("PATCH", "/api/orders/{order_id}/status"),
        ("POST", "/api/orders/{order_id}/cancel"),
    }

    # Driven by hand rather than `schemathesis.pytest.from_fixture`, whose lazy loader reads a
    # pytest-private attribute that pytest 9 removed.
    for operation in operations:
        fuzz(operation, mode, CALLERS[caller], order_ids)


def fuzz(
    operation: APIOperation, mode: GenerationMode, headers: dict[str, str], order_ids: list[str]
) -> None:
    aim_at_real_orders = mode is GenerationMode.POSITIVE and "{order_id}" in operation.path

    @given(case=operation.as_strategy(mode), order_id=st.sampled_from(order_ids))
    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def calls(case: schemathesis.Case, order_id: str) -> None:
        if aim_at_real_orders:
            case.path_parameters = {**(case.path_parameters or {}), "order_id": order_id}
        case.call_and_validate(
            headers=dict(headers),
            checks=[not_a_server_error, errors_are_problem_details],
        )

    calls()
