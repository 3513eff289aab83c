"""CORS, security headers, aggregated health, metrics, and garbage of every kind."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from gateway.conftest import GatewayFactory
from gateway.servers import Upstream, raw_request
from harness import Running, free_port

ALLOWED = "http://localhost:3000"


def client(**kwargs: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(trust_env=False, timeout=10, **kwargs)  # type: ignore[arg-type]


class TestCors:
    async def test_an_allowed_origin_gets_cors_headers_with_credentials(self, gateway: str) -> None:
        async with client() as http:
            response = await http.get(gateway + "/api/products", headers={"Origin": ALLOWED})

        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert response.headers["access-control-allow-credentials"] == "true"
        assert "X-Request-ID" in response.headers["access-control-expose-headers"]

    async def test_another_origin_gets_none(self, gateway: str) -> None:
        async with client() as http:
            response = await http.get(
                gateway + "/api/products", headers={"Origin": "https://evil.example"}
            )
            preflight = await http.options(
                gateway + "/api/products",
                headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"},
            )

        assert response.status_code == 200
        assert not [h for h in response.headers if h.startswith("access-control-")]
        assert preflight.status_code == 204
        assert not [h for h in preflight.headers if h.startswith("access-control-")]

    async def test_a_preflight_is_answered_by_the_gateway(self, gateway: str) -> None:
        async with client() as http:
            response = await http.options(
                gateway + "/api/orders",  # not running: the gateway answers alone
                headers={
                    "Origin": ALLOWED,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization, content-type",
                },
            )

        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert "POST" in response.headers["access-control-allow-methods"]
        assert "Authorization" in response.headers["access-control-allow-headers"]
        assert response.headers["access-control-allow-credentials"] == "true"


class TestSecurityHeaders:
    @pytest.mark.parametrize("path", ["/api/users/me", "/nowhere", "/api/orders", "/health"])
    async def test_every_answer_carries_them(self, gateway: str, path: str) -> None:
        async with client() as http:
            response = await http.get(gateway + path)

        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "strict-transport-security" not in response.headers

    async def test_hsts_only_behind_tls_reported_by_a_trusted_proxy(
        self, start_gateway: GatewayFactory
    ) -> None:
        trusting = start_gateway(trusted_proxies=["127.0.0.1"])
        untrusting = start_gateway()
        https = {"X-Forwarded-Proto": "https"}
        async with client() as http:
            behind_tls = await http.get(trusting + "/api/users/me", headers=https)
            claimed = await http.get(untrusting + "/api/users/me", headers=https)

        assert behind_tls.headers["strict-transport-security"].startswith("max-age=")
        assert behind_tls.json()["headers"]["x-forwarded-proto"] == "https"
        assert "strict-transport-security" not in claimed.headers


class TestHealthAndMetrics:
    async def test_health_is_ok_when_every_configured_service_is(self, gateway: str) -> None:
        async with client() as http:
            response = await http.get(gateway + "/health")

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert set(body["services"]) == {"users", "products"}
        assert body["services"]["users"]["status"] == "ok"
        assert body["services"]["users"]["latency_ms"] >= 0

    async def test_health_is_degraded_when_one_is_down_or_unhealthy(
        self, start_gateway: GatewayFactory, upstream: tuple[Upstream, Running]
    ) -> None:
        gateway = start_gateway(gateway_services=["users", "products", "orders"])
        state, _ = upstream
        async with client() as http:
            one_down = await http.get(gateway + "/health")
            state.healthy = False
            try:
                unhealthy = await http.get(gateway + "/health")
            finally:
                state.healthy = True

        assert one_down.status_code == 503
        assert one_down.json()["status"] == "degraded"
        assert one_down.json()["services"]["orders"]["status"] == "down"
        assert one_down.json()["services"]["users"]["status"] == "ok"
        assert one_down.elapsed.total_seconds() < 1.5
        assert unhealthy.json()["services"]["users"]["status"] == "down"

    async def test_health_covers_all_five_services_by_default(
        self, settings_factory: object
    ) -> None:
        from mercato.kit.settings import Settings

        assert Settings().gateway_services == [
            "users",
            "products",
            "orders",
            "payments",
            "notifications",
        ]

    async def test_metrics_count_requests_by_upstream_route_and_status(self, gateway: str) -> None:
        async with client() as http:
            await http.get(gateway + "/api/users/me")
            await http.get(gateway + "/api/orders")
            response = await http.get(gateway + "/metrics")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text
        assert (
            'mercato_gateway_requests_total{route="/api/users",status="200",upstream="users"}'
            in text
        )
        assert 'mercato_gateway_upstream_errors_total{kind="connect",upstream="orders"}' in text
        assert "mercato_gateway_request_duration_seconds_bucket" in text
        assert "mercato_gateway_rate_limited_total" in text


class TestGarbage:
    @pytest.mark.parametrize(
        "request_bytes",
        [
            b"GET /api/users/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /api/users/%zz%00 HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET //api//users HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET http://evil.example/api/users HTTP/1.1\r\nHost: x\r\n\r\n",
            b"BREW /api/products HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /api/users HTTP/1.1\r\nHost: x\r\nX-Request-ID: \xff\xff\r\n\r\n",
            b"GET /api/users HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ::::,,,\r\n\r\n",
            b"GET /api/users HTTP/1.1\r\nHost: x\r\nOrigin: \x01\r\n\r\n",
            b"POST /api/products HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n\xff\xfe[{",
            b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n"
            b'{"email": ["a", 1]} ',
            b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"GET /api/users HTTP/1.1\r\nHost: x\r\nConnection: x-request-id, host\r\n\r\n",
            b"GET /api/users HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * 60000 + b"\r\n\r\n",
            b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
        ],
    )
    async def test_no_garbage_makes_the_gateway_fail(
        self, gateway: str, request_bytes: bytes
    ) -> None:
        port = int(gateway.rsplit(":", 1)[1])

        status = await raw_request(port, request_bytes)

        assert status < 500 or status in (503, 504)

    async def test_random_paths_and_headers_answer_4xx_or_proxied(self, gateway: str) -> None:
        rng = random.Random(20261125)
        alphabet = "abc/._-~%2F%2e%00internal?&=#;:@!$'()*+,"
        prefixes = ["/api/users", "/api/products", "/api/auth", "/internal", "/", "/api/orders"]
        async with client() as http:
            for _ in range(200):
                path = rng.choice(prefixes) + "".join(
                    rng.choice(alphabet) for _ in range(rng.randint(0, 30))
                )
                headers = {"X-Request-ID": "".join(rng.choice(alphabet) for _ in range(10))}
                try:
                    response = await http.request(
                        rng.choice(["GET", "POST", "PUT", "DELETE", "PATCH"]),
                        gateway + path,
                        headers=headers,
                        content=rng.randbytes(rng.randint(0, 64)),
                    )
                except httpx.InvalidURL:
                    continue
                assert response.status_code < 500 or response.status_code in (503, 504), path

    async def test_a_client_leaving_mid_upload_leaves_the_gateway_serving(
        self, gateway: str
    ) -> None:
        port = int(gateway.rsplit(":", 1)[1])
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /api/products HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\nab")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.close()

        async with client() as http:
            assert (await http.get(gateway + "/api/products")).status_code == 200

    async def test_a_dead_store_url_does_not_stop_the_gateway_starting(
        self, start_gateway: GatewayFactory
    ) -> None:
        gateway = start_gateway(redis_url=f"redis://127.0.0.1:{free_port()}/0")
        async with client() as http:
            assert (await http.get(gateway + "/api/users/me")).status_code == 200
