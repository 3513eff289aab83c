"""The hop: bodies streamed both ways, headers, request ids, timeouts, stale connections."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx

from gateway.conftest import GatewayFactory
from gateway.servers import IdleClosingUpstream, RawUpstream, Upstream
from harness import Running

MiB = 1024 * 1024


def client(**kwargs: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(trust_env=False, timeout=10, **kwargs)  # type: ignore[arg-type]


class TestBodies:
    async def test_a_large_response_streams_before_the_upstream_has_finished(
        self, gateway: str, upstream: tuple[Upstream, Running]
    ) -> None:
        state, _ = upstream
        state.release_stream.clear()
        async with client() as http, http.stream("GET", gateway + "/api/products/stream") as resp:
            chunks = resp.aiter_raw()
            first = b""
            while len(first) < 65536:
                first += await anext(chunks)
            # The upstream is still holding the rest back: the gateway did not buffer.
            state.release_stream.set()
            rest = sum([len(chunk) async for chunk in chunks])

        assert resp.status_code == 200
        assert first[:65536] == b"a" * 65536
        assert len(first) + rest == 128 * 65536

    async def test_a_request_body_is_streamed_to_the_service_intact(self, gateway: str) -> None:
        payload = bytes(range(256)) * 3000  # 768 000 bytes, under the 1 MiB limit

        async def chunked() -> AsyncIterator[bytes]:
            for start in range(0, len(payload), 100_000):
                yield payload[start : start + 100_000]

        async with client() as http:
            sized = await http.post(gateway + "/api/users/upload", content=payload)
            unsized = await http.post(gateway + "/api/users/upload", content=chunked())

        assert sized.json()["body_length"] == len(payload)
        assert unsized.json()["body_length"] == len(payload)

    async def test_a_body_over_1_mib_answers_413(self, gateway: str) -> None:
        too_big = b"x" * (MiB + 1)

        async def chunked() -> AsyncIterator[bytes]:
            for start in range(0, len(too_big), 256 * 1024):
                yield too_big[start : start + 256 * 1024]

        async with client() as http:
            sized = await http.post(gateway + "/api/products", content=too_big)
            unsized = await http.post(gateway + "/api/products", content=chunked())
            exactly = await http.post(gateway + "/api/products", content=b"x" * MiB)

        assert sized.status_code == 413
        assert sized.headers["content-type"] == "application/problem+json"
        assert unsized.status_code == 413
        assert exactly.status_code == 200

    async def test_methods_and_status_codes_pass_through(self, gateway: str) -> None:
        async with client() as http:
            put = await http.put(gateway + "/api/products/1", json={"name": "x"})
            delete = await http.delete(gateway + "/api/products/1")
            head = await http.head(gateway + "/api/products/1")
            teapot = await http.get(gateway + "/api/products/status/418")
            no_content = await http.get(gateway + "/api/products/status/204")

        assert put.json()["method"] == "PUT"
        assert put.json()["body"] == '{"name":"x"}'
        assert delete.json()["method"] == "DELETE"
        assert head.status_code == 200
        assert head.content == b""
        assert teapot.status_code == 418
        assert no_content.status_code == 204


class TestHeaders:
    async def test_the_request_id_is_echoed_and_forwarded(self, gateway: str) -> None:
        async with client() as http:
            given = await http.get(gateway + "/api/users/me", headers={"X-Request-ID": "abc-123"})
            generated = await http.get(gateway + "/api/users/me")

        assert given.headers["x-request-id"] == "abc-123"
        assert given.json()["headers"]["x-request-id"] == "abc-123"
        assert len(generated.headers["x-request-id"]) == 32
        assert generated.json()["headers"]["x-request-id"] == generated.headers["x-request-id"]

    async def test_a_malformed_request_id_is_replaced(self, gateway: str) -> None:
        async with client() as http:
            response = await http.get(gateway + "/api/users/me", headers={"X-Request-ID": "a b"})

        assert response.headers["x-request-id"] != "a b"
        assert response.json()["headers"]["x-request-id"] == response.headers["x-request-id"]

    async def test_hop_by_hop_and_gateway_owned_headers_do_not_cross(self, gateway: str) -> None:
        async with client() as http:
            response = await http.get(
                gateway + "/api/users/me",
                headers={
                    "Connection": "keep-alive, X-Client-Hop",
                    "X-Client-Hop": "secret",
                    "Keep-Alive": "timeout=5",
                    "X-Service-Token": "forged",
                    "Authorization": "Bearer t",
                },
            )
        seen = response.json()["headers"]

        assert "x-client-hop" not in seen
        assert "keep-alive" not in seen
        assert "x-service-token" not in seen
        assert seen["authorization"] == "Bearer t"
        assert "x-upstream-secret" not in response.headers
        assert response.headers["x-frame-options"] == "DENY"  # the gateway's, not the service's
        assert response.headers.get_list("x-request-id") == [response.headers["x-request-id"]]

    async def test_cookies_are_passed_to_the_client_and_not_kept_by_the_gateway(
        self, gateway: str
    ) -> None:
        async with client() as first:
            response = await first.get(gateway + "/api/users/me")
        async with client() as second:
            other = await second.get(gateway + "/api/users/me")

        assert response.headers["set-cookie"].startswith("session=from-upstream")
        assert "cookie" not in other.json()["headers"]

    async def test_forwarded_headers_describe_the_client(self, gateway: str) -> None:
        async with client() as http:
            response = await http.get(gateway + "/api/users/me")
        seen = response.json()["headers"]

        assert seen["x-forwarded-for"] == "127.0.0.1"
        assert seen["x-forwarded-proto"] == "http"
        assert seen["x-forwarded-host"] == gateway.removeprefix("http://")


class TestUpstreamFailures:
    async def test_a_hanging_upstream_answers_504_after_the_timeout(
        self, start_gateway: GatewayFactory
    ) -> None:
        gateway = start_gateway(upstream_timeout_seconds=0.5)
        started = time.monotonic()
        async with client() as http:
            response = await http.get(gateway + "/api/products/hang")

        assert response.status_code == 504
        assert response.json()["status"] == 504
        assert 0.4 < time.monotonic() - started < 2.0

    async def test_an_idle_closed_pooled_connection_is_retried_once_for_get(
        self, start_gateway: GatewayFactory
    ) -> None:
        with IdleClosingUpstream() as idle:
            gateway = start_gateway(users_url=idle.url)
            async with client() as http:
                statuses = [
                    (await http.get(gateway + "/api/users/x")).status_code for _ in range(4)
                ]

        assert statuses == [200, 200, 200, 200]
        assert idle.answered == 4
        assert idle.connections == 4  # three reused connections were found closed, and retried

    async def test_a_post_on_an_idle_closed_connection_is_not_replayed(
        self, start_gateway: GatewayFactory
    ) -> None:
        with IdleClosingUpstream() as idle:
            gateway = start_gateway(users_url=idle.url)
            async with client() as http:
                first = await http.post(gateway + "/api/users/x", json={"a": 1})
                second = await http.post(gateway + "/api/users/x", json={"a": 2})

        assert first.status_code == 200
        assert second.status_code == 503  # the service may have acted on it: never sent twice
        assert idle.answered == 1

    async def test_many_concurrent_requests_share_the_pool(self, gateway: str) -> None:
        async with client(limits=httpx.Limits(max_connections=200)) as http:
            responses = await asyncio.gather(
                *(http.get(f"{gateway}/api/products/{n}") for n in range(200))
            )

        assert [r.status_code for r in responses] == [200] * 200
        assert {r.json()["path"] for r in responses} == {f"/api/products/{n}" for n in range(200)}


class TestAnswerFraming:
    async def test_every_framing_is_relayed_and_the_pool_stays_in_step(
        self, start_gateway: GatewayFactory
    ) -> None:
        with RawUpstream() as raw:
            gateway = start_gateway(users_url=raw.url)
            async with client() as http:
                until_close = await http.get(gateway + "/api/users/until-close")
                chunked = await http.get(gateway + "/api/users/chunked")
                head = await http.head(gateway + "/api/users/sized")
                not_modified = await http.get(gateway + "/api/users/not-modified")
                sized = await http.get(gateway + "/api/users/sized")
                closing = await http.get(gateway + "/api/users/closing")
                after_close = await http.get(gateway + "/api/users/sized")

        assert (until_close.status_code, until_close.text) == (200, "read until the end")
        assert (chunked.status_code, chunked.text) == (200, "hello world")
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-length"] == "5"
        assert (not_modified.status_code, not_modified.content) == (304, b"")
        assert not_modified.headers["etag"] == '"v1"'
        # HEAD and 304 sent no body: had the gateway waited for one, these would be wrong.
        assert (sized.status_code, sized.text) == (200, "sized")
        assert (closing.status_code, closing.text) == (200, "bye!")
        assert (after_close.status_code, after_close.text) == (200, "sized")
        assert raw.answered == 7
        # One connection per answer that ended it, one kept for the rest.
        assert raw.connections == 3
