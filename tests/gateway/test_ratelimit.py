"""Rate limits: headers, 429, atomicity, the stricter auth limits, and a store outage."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import httpx

from gateway.conftest import GatewayFactory
from harness import free_port


def client(**kwargs: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(trust_env=False, timeout=30, **kwargs)  # type: ignore[arg-type]


def email() -> str:
    return f"shopper-{uuid.uuid4().hex[:10]}@example.com"


class TestGeneralLimit:
    async def test_every_limited_answer_carries_ratelimit_headers(
        self, start_gateway: GatewayFactory
    ) -> None:
        gateway = start_gateway(rate_limit="5/15m")
        async with client() as http:
            first = await http.get(gateway + "/api/users/me")
            second = await http.get(gateway + "/api/products")
            unknown = await http.get(gateway + "/api/nothing")

        assert first.headers["ratelimit-limit"] == "5"
        assert first.headers["ratelimit-remaining"] == "4"
        assert 0 < int(first.headers["ratelimit-reset"]) <= 900
        assert second.headers["ratelimit-remaining"] == "3"
        assert unknown.status_code == 404
        assert unknown.headers["ratelimit-remaining"] == "2"

    async def test_past_the_limit_answers_429_with_retry_after(
        self, start_gateway: GatewayFactory
    ) -> None:
        gateway = start_gateway(rate_limit="2/1m")
        async with client() as http:
            statuses = [(await http.get(gateway + "/api/users/me")).status_code for _ in range(2)]
            refused = await http.get(gateway + "/api/users/me")

        assert statuses == [200, 200]
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 429
        assert 0 < int(refused.headers["retry-after"]) <= 60
        assert refused.headers["ratelimit-remaining"] == "0"

    async def test_150_parallel_requests_against_100_let_exactly_100_through(
        self, start_gateway: GatewayFactory
    ) -> None:
        gateway = start_gateway(rate_limit="100/15m")
        async with client(limits=httpx.Limits(max_connections=150)) as http:
            responses = await asyncio.gather(
                *(http.get(f"{gateway}/api/products/{n}") for n in range(150))
            )

        statuses = Counter(r.status_code for r in responses)
        assert statuses == {200: 100, 429: 50}, [r.text for r in responses if r.status_code >= 500]

    async def test_health_metrics_and_preflights_do_not_count(
        self, start_gateway: GatewayFactory
    ) -> None:
        gateway = start_gateway(rate_limit="1/1m")
        preflight = {
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
        }
        async with client() as http:
            for _ in range(3):
                await http.get(gateway + "/health")
                await http.get(gateway + "/metrics")
                assert (
                    await http.options(gateway + "/api/orders", headers=preflight)
                ).status_code == 204
            allowed = await http.get(gateway + "/api/users/me")
            refused = await http.get(gateway + "/api/users/me")

        assert allowed.status_code == 200
        assert refused.status_code == 429


class TestClientIdentity:
    async def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(
        self, start_gateway: GatewayFactory
    ) -> None:
        gateway = start_gateway(rate_limit="2/1m", trusted_proxies=["10.0.0.0/8"])
        async with client() as http:
            statuses = [
                (
                    await http.get(
                        gateway + "/api/users/me", headers={"X-Forwarded-For": f"203.0.113.{n}"}
                    )
                ).status_code
                for n in range(3)
            ]
            seen = (await http.get(gateway + "/health")).status_code

        assert statuses == [200, 200, 429]  # one client, whatever it claimed to be
        assert seen in (200, 503)

    async def test_the_spoofed_header_is_replaced_before_reaching_the_service(
        self, start_gateway: GatewayFactory
    ) -> None:
        gateway = start_gateway()
        async with client() as http:
            response = await http.get(
                gateway + "/api/users/me",
                headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
            )

        assert response.json()["headers"]["x-forwarded-for"] == "127.0.0.1"
        assert response.json()["headers"]["x-forwarded-proto"] == "http"

    async def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(
        self, start_gateway: GatewayFactory
    ) -> None:
        gateway = start_gateway(rate_limit="1/1m", trusted_proxies=["127.0.0.1"])
        async with client() as http:
            first = await http.get(
                gateway + "/api/users/me", headers={"X-Forwarded-For": "203.0.113.1"}
            )
            other_client = await http.get(
                gateway + "/api/users/me", headers={"X-Forwarded-For": "203.0.113.2"}
            )
            same_again = await http.get(
                gateway + "/api/users/me", headers={"X-Forwarded-For": "203.0.113.1"}
            )

        assert first.status_code == 200
        assert other_client.status_code == 200
        assert same_again.status_code == 429
        assert first.json()["headers"]["x-forwarded-for"] == "203.0.113.1, 127.0.0.1"


class TestAuthLimits:
    async def test_login_is_limited_per_client(self, start_gateway: GatewayFactory) -> None:
        gateway = start_gateway(auth_rate_limit="3/15m")
        async with client() as http:
            statuses = [
                (
                    await http.post(
                        gateway + "/api/auth/login", json={"email": email(), "password": "x"}
                    )
                ).status_code
                for _ in range(4)
            ]
            other_route = await http.get(gateway + "/api/auth/me")

        assert statuses == [200, 200, 200, 429]
        assert other_route.status_code == 200  # only the strict routes share this limit

    async def test_login_is_limited_per_account_across_clients(
        self, start_gateway: GatewayFactory
    ) -> None:
        gateway = start_gateway(auth_rate_limit="3/15m", trusted_proxies=["127.0.0.1"])
        account = email()
        async with client() as http:
            statuses = [
                (
                    await http.post(
                        gateway + "/api/auth/login",
                        json={"email": account.upper() if n % 2 else account, "password": "x"},
                        headers={"X-Forwarded-For": f"198.51.100.{n}"},
                    )
                ).status_code
                for n in range(4)
            ]

        assert statuses == [200, 200, 200, 429]

    async def test_the_auth_routes_share_the_strict_limit(
        self, start_gateway: GatewayFactory
    ) -> None:
        gateway = start_gateway(auth_rate_limit="4/15m")
        async with client() as http:
            register = await http.post(
                gateway + "/api/auth/register", json={"email": email(), "password": "p"}
            )
            reset = await http.post(gateway + "/api/auth/password-reset", json={"email": email()})
            confirm = await http.post(
                gateway + "/api/auth/password-reset/confirm", json={"token": "t"}
            )
            login = await http.post(gateway + "/api/auth/login/", content=b"not json")
            refused = await http.post(gateway + "/api/auth/register", json={"email": email()})

        assert [register.status_code, reset.status_code, confirm.status_code] == [200, 200, 200]
        assert login.status_code == 200
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0

    async def test_the_body_read_for_the_account_reaches_the_service_intact(
        self, gateway: str
    ) -> None:
        async with client() as http:
            response = await http.post(
                gateway + "/api/auth/login", json={"email": "a@example.com", "password": "é"}
            )

        assert response.json()["body"] == '{"email":"a@example.com","password":"é"}'
        assert response.json()["headers"]["content-length"] == str(
            len('{"email":"a@example.com","password":"é"}'.encode())
        )


class TestStoreOutage:
    async def test_general_limit_fails_open_and_auth_limit_fails_closed(
        self, start_gateway: GatewayFactory
    ) -> None:
        gateway = start_gateway(redis_url=f"redis://127.0.0.1:{free_port()}/0")
        async with client() as http:
            browse = await http.get(gateway + "/api/products")
            login = await http.post(
                gateway + "/api/auth/login", json={"email": email(), "password": "x"}
            )
            metrics = (await http.get(gateway + "/metrics")).text

        assert browse.status_code == 200
        assert "ratelimit-limit" not in browse.headers
        assert login.status_code == 503
        assert login.json()["status"] == 503
        assert 'mercato_gateway_rate_limit_store_errors_total{limit="auth",outcome="refused"}' in (
            metrics
        )
