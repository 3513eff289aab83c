"""POST /api/auth/login: credentials, suspended accounts, failed-login throttling."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from mercato.kit.settings import Settings
from mercato.users.admin import create_admin

from .support import PASSWORD, bearer, log_in, register, unique_email


class TestLogin:
    async def test_answers_a_token_pair(self, client: httpx.AsyncClient) -> None:
        email = unique_email()
        registered = await register(client, email)
        response = await log_in(client, email.upper(), PASSWORD)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["user"]["id"] == registered["user"]["id"]
        assert body["refresh_token"] != registered["refresh_token"]
        me = await client.get("/api/auth/me", headers=bearer(body["access_token"]))
        assert me.status_code == 200

    async def test_unknown_email_and_wrong_password_answer_the_same(
        self, client: httpx.AsyncClient
    ) -> None:
        email = unique_email()
        await register(client, email)
        wrong = await log_in(client, email, "not the password")
        unknown = await log_in(client, unique_email(), "not the password")
        assert wrong.status_code == unknown.status_code == 401
        wrong_body, unknown_body = wrong.json(), unknown.json()
        # Only the request id differs between two answers.
        assert wrong_body.pop("request_id") != unknown_body.pop("request_id")
        assert wrong_body == unknown_body
        assert wrong.headers.get("www-authenticate") == unknown.headers.get("www-authenticate")

    async def test_an_over_long_password_is_just_wrong(self, client: httpx.AsyncClient) -> None:
        email = unique_email()
        await register(client, email)
        response = await log_in(client, email, "x" * 100)
        assert response.status_code == 401

    async def test_unknown_fields_are_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/auth/login", json={"email": unique_email(), "password": PASSWORD, "otp": 1}
        )
        assert response.status_code == 422

    async def test_a_suspended_account_cannot_log_in(
        self, client: httpx.AsyncClient, users_settings: Settings
    ) -> None:
        admin_email = unique_email("admin")
        await create_admin(users_settings, admin_email, PASSWORD)
        admin = (await log_in(client, admin_email, PASSWORD)).json()
        user = await register(client)
        await client.patch(
            f"/api/users/{user['user']['id']}",
            json={"status": "suspended"},
            headers=bearer(admin["access_token"]),
        )
        response = await log_in(client, user["user"]["email"], PASSWORD)
        assert response.status_code == 403
        assert response.json()["code"] == "account_suspended"
        # A wrong password still gets the generic answer: nothing is revealed without it.
        wrong = await log_in(client, user["user"]["email"], "not the password")
        assert wrong.status_code == 401


class TestThrottling:
    async def test_ten_failures_on_one_account_lock_it_from_any_address(
        self, new_client: Callable[..., httpx.AsyncClient]
    ) -> None:
        email = unique_email()
        async with new_client() as first:
            await register(first, email)
        for _ in range(10):
            async with new_client() as attacker:
                assert (await log_in(attacker, email, "guess guess")).status_code == 401
        async with new_client() as owner:
            response = await log_in(owner, email, PASSWORD)
        assert response.status_code == 429
        assert response.headers["content-type"] == "application/problem+json"
        assert 0 < int(response.headers["retry-after"]) <= 900

    async def test_ten_failures_from_one_address_lock_that_address(
        self, new_client: Callable[..., httpx.AsyncClient]
    ) -> None:
        async with new_client() as elsewhere:
            victim = await register(elsewhere)
        async with new_client() as attacker:
            for _ in range(10):
                response = await log_in(attacker, unique_email(), "guess guess")
                assert response.status_code == 401
            blocked = await log_in(attacker, victim["user"]["email"], PASSWORD)
            assert blocked.status_code == 429
            assert "retry-after" in blocked.headers
        async with new_client() as other:
            assert (await log_in(other, victim["user"]["email"], PASSWORD)).status_code == 200

    async def test_successful_logins_are_not_counted(
        self, new_client: Callable[..., httpx.AsyncClient]
    ) -> None:
        async with new_client() as shopper:
            registered = await register(shopper)
            for _ in range(12):
                response = await log_in(shopper, registered["user"]["email"], PASSWORD)
                assert response.status_code == 200

    async def test_behind_the_gateway_the_forwarded_client_is_throttled_not_the_gateway(
        self, new_client: Callable[..., httpx.AsyncClient]
    ) -> None:
        # The gateway runs on 127.0.0.1 (a trusted service proxy by default) and appends the
        # real client to X-Forwarded-For: one noisy client must not lock out everyone else.
        async with new_client() as elsewhere:
            victim = await register(elsewhere)
        async with new_client("127.0.0.1") as gateway:
            attacker = {"X-Forwarded-For": "10.200.0.1"}
            for _ in range(10):
                response = await gateway.post(
                    "/api/auth/login",
                    json={"email": unique_email(), "password": "guess guess"},
                    headers=attacker,
                )
                assert response.status_code == 401
            blocked = await gateway.post(
                "/api/auth/login",
                json={"email": victim["user"]["email"], "password": PASSWORD},
                headers=attacker,
            )
            assert blocked.status_code == 429
            shopper = await gateway.post(
                "/api/auth/login",
                json={"email": victim["user"]["email"], "password": PASSWORD},
                headers={"X-Forwarded-For": "10.200.0.2"},
            )
            assert shopper.status_code == 200

    async def test_an_untrusted_peer_cannot_dodge_throttling_with_x_forwarded_for(
        self, new_client: Callable[..., httpx.AsyncClient]
    ) -> None:
        async with new_client() as attacker:
            for n in range(10):
                response = await attacker.post(
                    "/api/auth/login",
                    json={"email": unique_email(), "password": "guess guess"},
                    headers={"X-Forwarded-For": f"10.201.0.{n}"},
                )
                assert response.status_code == 401
            blocked = await attacker.post(
                "/api/auth/login",
                json={"email": unique_email(), "password": "guess guess"},
                headers={"X-Forwarded-For": "10.201.0.99"},
            )
            assert blocked.status_code == 429
