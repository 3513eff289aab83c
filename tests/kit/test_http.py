"""The shared HTTP client against real servers: answers, request ids, retries, failures."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from gateway.servers import IdleClosingUpstream, Upstream, upstream_app
from harness import Running, free_port, serve
from mercato.kit.context import request_id_var
from mercato.kit.errors import GatewayTimeout, ServiceUnavailable
from mercato.kit.http import UpstreamClient, UpstreamStatusError


@pytest.fixture(scope="module")
def service() -> Iterator[Running]:
    with serve(upstream_app(Upstream())) as running:
        yield running


def client_for(url: str, **kwargs: object) -> UpstreamClient:
    options: dict[str, object] = {"timeout": 0.5, "connect_timeout": 0.5, **kwargs}
    return UpstreamClient("products", url, **options)  # type: ignore[arg-type]


async def test_a_call_returns_status_headers_and_body(service: Running) -> None:
    async with client_for(service.url, service_token="s3cret") as client:
        status, headers, body = await client.request(
            "POST", "/api/products/reserve?x=1", json={"quantity": 2}
        )

    assert status == 200
    assert headers["content-type"] == "application/json"
    seen = json.loads(body)
    assert seen["path"] == "/api/products/reserve"
    assert seen["query"] == "x=1"
    assert seen["body"] == '{"quantity": 2}'
    assert seen["headers"]["x-service-token"] == "s3cret"


async def test_the_request_id_of_the_current_request_is_forwarded(service: Running) -> None:
    token = request_id_var.set("req-42")
    try:
        async with client_for(service.url) as client:
            seen = await client.get_json("/api/products/1")
    finally:
        request_id_var.reset(token)

    assert seen["headers"]["x-request-id"] == "req-42"


async def test_the_client_starts_lazily_and_can_be_reused(service: Running) -> None:
    client = client_for(service.url)
    try:
        first = await client.request("GET", "/api/products/1")
        second = await client.request("GET", "/api/products/2")
    finally:
        await client.close()

    assert (first.status, second.status) == (200, 200)
    assert second.json()["path"] == "/api/products/2"


async def test_get_json_refuses_an_answer_that_is_not_2xx(service: Running) -> None:
    async with client_for(service.url) as client:
        with pytest.raises(UpstreamStatusError) as failure:
            await client.get_json("/api/products/status/404")

    assert failure.value.response.status == 404
    assert failure.value.status == 503


async def test_an_upstream_not_listening_is_service_unavailable_fast() -> None:
    started = time.monotonic()
    async with client_for(f"http://127.0.0.1:{free_port()}") as client:
        with pytest.raises(ServiceUnavailable):
            await client.request("POST", "/api/products", json={})

    assert time.monotonic() - started < 1.0  # three attempts, short backoff


async def test_an_upstream_that_hangs_is_a_gateway_timeout(service: Running) -> None:
    started = time.monotonic()
    async with client_for(service.url) as client:
        with pytest.raises(GatewayTimeout):
            await client.request("GET", "/api/products/hang")

    assert time.monotonic() - started < 1.5  # a timeout is not retried


async def test_a_stale_pooled_connection_is_retried_for_idempotent_calls() -> None:
    with IdleClosingUpstream() as idle:
        async with client_for(idle.url) as client:
            answers = [(await client.get_json("/x"))["answered"] for _ in range(3)]

    assert answers == [1, 2, 3]


async def test_a_post_on_a_stale_connection_is_not_repeated() -> None:
    with IdleClosingUpstream() as idle:
        async with client_for(idle.url) as client:
            await client.request("POST", "/x", json={})
            with pytest.raises(ServiceUnavailable):
                await client.request("POST", "/x", json={})

    assert idle.answered == 1
