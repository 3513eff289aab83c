"""Routing by prefix, and the paths the gateway never routes."""

from __future__ import annotations

import httpx
import pytest

from gateway.servers import raw_request


async def get(url: str, **kwargs: object) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False) as client:
        return await client.get(url, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "path",
    [
        "/api/auth/me",
        "/api/users",
        "/api/users/123?page=2&limit=5",
        "/.well-known/jwks.json",
        "/api/products",
        "/api/products/abc",
        "/api/categories",
    ],
)
async def test_a_known_prefix_reaches_its_service_with_path_and_query_intact(
    gateway: str, path: str
) -> None:
    response = await get(gateway + path)

    assert response.status_code == 200
    seen = response.json()
    target = seen["raw_path"] + ("?" + seen["query"] if seen["query"] else "")
    assert target == path


async def test_percent_encoding_reaches_the_service_as_the_client_wrote_it(gateway: str) -> None:
    response = await get(gateway + "/api/products/a%20b%2Fc?q=caf%C3%A9&x=1+2")

    assert response.json()["raw_path"] == "/api/products/a%20b%2Fc"
    assert response.json()["query"] == "q=caf%C3%A9&x=1+2"


@pytest.mark.parametrize("path", ["/api/orders", "/api/payments/1", "/api/notifications"])
async def test_a_service_that_is_not_running_answers_503_problem_quickly(
    gateway: str, path: str
) -> None:
    response = await get(gateway + path)

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 503
    assert response.elapsed.total_seconds() < 0.5


@pytest.mark.parametrize(
    "path", ["/", "/api", "/api/", "/api/unknown", "/api/productsx", "/API/products", "/admin"]
)
async def test_an_unknown_path_answers_404_problem(gateway: str, path: str) -> None:
    response = await get(gateway + path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


@pytest.mark.parametrize(
    "target",
    [
        "/internal/users",
        "/api/users/internal/lookup",
        "/api/products/internal",
        "/api/products/../internal/reserve",
        "/api/products/./internal",
        "/api/users/%69nternal/x",
        "/api/users/%2569nternal/x",
        "/api/users/INTERNAL/x",
        "/api/users/Internal;v=1/x",
        "/api/users/a%2Finternal",
        "/api/users/x%5Cinternal",
        "/api/users/..%2F..%2Finternal",
        "/api/products/%252e%252e/x",
    ],
)
async def test_internal_and_climbing_paths_are_never_routed(gateway: str, target: str) -> None:
    port = int(gateway.rsplit(":", 1)[1])
    request = f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()

    assert await raw_request(port, request) == 404


async def test_the_404_for_internal_is_problem_details(gateway: str) -> None:
    response = await get(gateway + "/api/users/internal/users")

    assert response.status_code == 404
    assert response.json()["type"].startswith("https://")
    assert response.json()["request_id"] == response.headers["x-request-id"]
