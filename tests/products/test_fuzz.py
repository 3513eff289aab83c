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
from fastapi import FastAPI
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from harness import (
    MODES,
    RealIds,
    client_errors_are_problem_details,
    for_caller,
    fuzz,
    openapi_operations,
)

from .support import ADMIN, SERVICE, make_category, make_product

CALLERS = {"admin": ADMIN, "anonymous": {}, "service": SERVICE}


@pytest.fixture
async def product_ids(client: httpx.AsyncClient) -> list[str]:
    category = await make_category(client)
    return [
        (await make_product(client, category_id=category["id"]))["id"],
        (await make_product(client))["id"],
    ]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("caller", ["admin", "anonymous", "service"])
async def test_no_request_makes_a_server_error(
    new_app: Callable[..., FastAPI], product_ids: list[str], mode: GenerationMode, caller: str
) -> None:
    # Its own app: schemathesis serves it on an event loop of its own.
    operations = openapi_operations(new_app(reservation_sweep_seconds=3600))
    chosen = for_caller(operations, service=caller == "service")
    assert chosen, caller

    # In negative mode GET /api/categories, which takes no input, is passed over.
    await fuzz(
        chosen,
        mode,
        headers=CALLERS[caller],
        checks=[not_a_server_error, client_errors_are_problem_details],
        max_examples=25,
        real_ids=RealIds("product_id", product_ids, except_methods=frozenset({"delete"})),
    )
