"""Schemathesis fuzzes every products, categories and reservations endpoint in process: bad
input is a 4xx in problem+json, never a 5xx.

Public endpoints are called as an admin (to reach past authorization) and anonymously;
the internal ones with the service token. Valid-looking calls on one product are sent to
real products, so updates reach the database instead of stopping at 404.
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
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.schemas import APIOperation

from .support import ADMIN, SERVICE, make_category, make_product

PROBLEM = "application/problem+json"
CALLERS = {"admin": ADMIN, "anonymous": {}, "service": SERVICE}


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
async def product_ids(client: httpx.AsyncClient) -> list[str]:
    category = await make_category(client)
    return [
        (await make_product(client, category_id=category["id"]))["id"],
        (await make_product(client))["id"],
    ]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("caller", ["admin", "anonymous", "service"])
def test_no_request_makes_a_server_error(
    new_app: Callable[..., FastAPI], product_ids: list[str], mode: GenerationMode, caller: str
) -> None:
    # Its own app: schemathesis serves it on an event loop of its own.
    app = new_app(reservation_sweep_seconds=3600)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = CALLERS[caller]
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
        inputs = [operation.body, operation.query, operation.path_parameters]
        if mode is GenerationMode.NEGATIVE and not any(len(part) for part in inputs):
            continue  # nothing the fuzzer could make invalid (GET /api/categories)
        fuzz(operation, mode, headers, product_ids)


def fuzz(
    operation: APIOperation, mode: GenerationMode, headers: dict[str, str], product_ids: list[str]
) -> None:
    aim_at_real_products = (
        mode is GenerationMode.POSITIVE
        and operation.method != "delete"
        and "{product_id}" in operation.path
    )

    @given(case=operation.as_strategy(mode), product_id=st.sampled_from(product_ids))
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def calls(case: schemathesis.Case, product_id: str) -> None:
        if aim_at_real_products:
            case.path_parameters = {**(case.path_parameters or {}), "product_id": product_id}
        case.call_and_validate(
            headers=dict(headers),
            checks=[not_a_server_error, errors_are_problem_details],
        )

    calls()
