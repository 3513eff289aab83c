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
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from harness import (
    MODES,
    RealIds,
    Stack,
    client_errors_are_problem_details,
    fuzz,
    key_source,
    openapi_operations,
)
from mercato.orders.app import create_app

from .support import ADMIN, Shopper, make_product, placed

SHOPPER = Shopper()
CALLERS = {"admin": ADMIN, "customer": SHOPPER.headers, "anonymous": {}}


@pytest.fixture
async def order_ids(orders: httpx.AsyncClient, products: httpx.AsyncClient) -> list[str]:
    product = await make_product(products, stock=50)
    return [(await placed(orders, SHOPPER, [(product["id"], 1)]))["id"] for _ in range(3)]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("caller", list(CALLERS))
async def test_no_request_makes_a_server_error(
    stack: Stack, order_ids: list[str], mode: GenerationMode, caller: str
) -> None:
    # Its own app (schemathesis serves it on an event loop of its own), with a recovery loop
    # that stays out of the way of the stack's.
    app = create_app(
        stack.settings.model_copy(update={"saga_recovery_seconds": 3600}), key_source=key_source()
    )
    operations = openapi_operations(app)
    assert {(operation.method.upper(), operation.path) for operation in operations} == {
        ("POST", "/api/orders"),
        ("GET", "/api/orders"),
        ("GET", "/api/orders/{order_id}"),
        ("PATCH", "/api/orders/{order_id}/status"),
        ("POST", "/api/orders/{order_id}/cancel"),
    }

    await fuzz(
        operations,
        mode,
        headers=CALLERS[caller],
        checks=[not_a_server_error, client_errors_are_problem_details],
        max_examples=20,
        real_ids=RealIds("order_id", order_ids),
    )
