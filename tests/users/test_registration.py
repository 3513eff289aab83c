"""POST /api/auth/register, and proving the email with the link it mails."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from harness import Running
from harness import bearer as harness_bearer
from mercato.kit.outbox import DELIVERED, PENDING
from mercato.kit.settings import Settings
from mercato.kit.types import utcnow
from mercato.users.models import outbox

from .support import PASSWORD, bearer, emails_to, link_in, register, unique_email, wait_for_email


class TestRegister:
    async def test_answers_a_token_pair_and_a_customer(self, client: httpx.AsyncClient) -> None:
        email = unique_email()
        response = await client.post(
            "/api/auth/register",
            json={"email": email, "password": PASSWORD, "name": "Ada", "phone": "+44 20 7946 0000"},
        )
        assert response.status_code == 201
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 900
        assert body["access_token"]
        assert body["refresh_token"]
        user = body["user"]
        assert user["email"] == email
        assert user["name"] == "Ada"
        assert user["phone"] == "+44 20 7946 0000"
        assert user["role"] == "customer"
        assert user["status"] == "active"
        assert user["email_verified"] is False
        assert user["created_at"].endswith("Z")
        assert user["profile"] == {
            "first_name": None,
            "last_name": None,
            "avatar_url": None,
            "bio": None,
            "address": None,
        }
        assert "password_hash" not in user
        me = await client.get("/api/auth/me", headers=bearer(body["access_token"]))
        assert me.status_code == 200
        assert me.json()["id"] == user["id"]

    async def test_the_same_email_in_other_case_is_taken(self, client: httpx.AsyncClient) -> None:
        email = unique_email()
        await register(client, email)
        response = await client.post(
            "/api/auth/register",
            json={"email": email.upper(), "password": PASSWORD, "name": "Twin"},
        )
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "email_taken"

    async def test_email_is_stored_lowercased(self, client: httpx.AsyncClient) -> None:
        email = unique_email()
        body = await register(client, email.replace("shopper", "ShOpPeR"))
        assert body["user"]["email"] == email

    async def test_a_short_password_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/auth/register",
            json={"email": unique_email(), "password": "short", "name": "Ada"},
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "password"

    async def test_a_password_over_72_bytes_is_422_not_500(self, client: httpx.AsyncClient) -> None:
        # 40 characters but 80 bytes in UTF-8: bcrypt 5 would raise on it.
        response = await client.post(
            "/api/auth/register",
            json={"email": unique_email(), "password": "é" * 40, "name": "Ada"},
        )
        assert response.status_code == 422
        assert "72 bytes" in response.json()["errors"][0]["message"]

    async def test_a_72_byte_password_works(self, client: httpx.AsyncClient) -> None:
        email = unique_email()
        await register(client, email, password="é" * 36)
        response = await client.post("/api/auth/login", json={"email": email, "password": "é" * 36})
        assert response.status_code == 200

    async def test_a_bad_email_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/auth/register", json={"email": "not-an-email", "password": PASSWORD, "name": "A"}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "email"

    async def test_role_cannot_be_smuggled_in(self, client: httpx.AsyncClient) -> None:
        email = unique_email()
        response = await client.post(
            "/api/auth/register",
            json={"email": email, "password": PASSWORD, "name": "Eve", "role": "admin"},
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "role"
        login = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 401  # nothing was created

    async def test_malformed_json_is_400(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/auth/register",
            content=b'{"email": ',
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 400


class TestRegistrationRace:
    async def test_one_email_registered_at_once_opens_one_account(
        self, client: httpx.AsyncClient
    ) -> None:
        email = unique_email()
        answers = await asyncio.gather(
            *(
                client.post(
                    "/api/auth/register",
                    json={"email": email, "password": PASSWORD, "name": f"Racer {n}"},
                )
                for n in range(5)
            )
        )
        assert sorted(a.status_code for a in answers) == [201] + [409] * 4

    async def test_registrations_are_counted_on_metrics(self, client: httpx.AsyncClient) -> None:
        await register(client)
        metrics = await client.get("/metrics")
        assert "mercato_users_registrations_total" in metrics.text


class TestVerifyEmail:
    async def test_the_welcome_email_link_verifies_the_address(
        self, client: httpx.AsyncClient, users_settings: Settings
    ) -> None:
        email = unique_email()
        pair = await register(client, email, name="Grace")
        message = await wait_for_email(users_settings.mailbox_dir, email, "Welcome")
        text = message.get_body(("plain",))
        assert text is not None
        assert "Hello Grace" in text.get_content()
        assert message.get_body(("html",)) is not None
        assert f"{users_settings.web_url}/verify-email?token=" in text.get_content()
        token = link_in(message, "/verify-email")

        response = await client.post("/api/auth/verify-email", json={"token": token})
        assert response.status_code == 204
        me = await client.get("/api/auth/me", headers=bearer(pair["access_token"]))
        assert me.json()["email_verified"] is True

        again = await client.post("/api/auth/verify-email", json={"token": token})
        assert again.status_code == 400
        assert again.json()["code"] == "invalid_token"

    async def test_an_unknown_token_is_400(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/auth/verify-email", json={"token": "no-such-token"})
        assert response.status_code == 400

    async def test_resend_mails_a_fresh_working_link(
        self, client: httpx.AsyncClient, users_settings: Settings
    ) -> None:
        email = unique_email()
        pair = await register(client, email)
        response = await client.post(
            "/api/auth/verify-email/resend", headers=bearer(pair["access_token"])
        )
        assert response.status_code == 202
        message = await wait_for_email(users_settings.mailbox_dir, email, "Confirm your email")
        token = link_in(message, "/verify-email")
        assert (
            await client.post("/api/auth/verify-email", json={"token": token})
        ).status_code == 204

    async def test_resend_needs_a_token(self, client: httpx.AsyncClient) -> None:
        assert (await client.post("/api/auth/verify-email/resend")).status_code == 401

    async def test_resend_to_a_verified_address_sends_nothing(
        self, client: httpx.AsyncClient, users_settings: Settings, users_app: FastAPI
    ) -> None:
        email = unique_email()
        pair = await register(client, email)
        welcome = await wait_for_email(users_settings.mailbox_dir, email, "Welcome")
        token = link_in(welcome, "/verify-email")
        await client.post("/api/auth/verify-email", json={"token": token})
        response = await client.post(
            "/api/auth/verify-email/resend", headers=bearer(pair["access_token"])
        )
        assert response.status_code == 202
        await users_app.state.outbox_relay.run_once()
        assert len(emails_to(users_settings.mailbox_dir, email)) == 1


class TestWelcomeEmailOnce:
    async def test_a_redelivered_registration_event_mails_once(
        self,
        client: httpx.AsyncClient,
        users_settings: Settings,
        users_app: FastAPI,
        notifications_service: Running,
    ) -> None:
        email = unique_email()
        user = (await register(client, email))["user"]
        await wait_for_email(users_settings.mailbox_dir, email, "Welcome")

        # As if the relay had crashed after delivering the event but before recording it.
        async with users_app.state.db.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(outbox.c.id, outbox.c.payload).where(outbox.c.topic == "user.registered")
                )
            ).all()
            event_id = next(row.id for row in rows if row.payload["email"] == email)
            await conn.execute(
                update(outbox)
                .where(outbox.c.id == event_id)
                .values(status=PENDING, available_at=utcnow())
            )
        await users_app.state.outbox_relay.run_once()
        async with users_app.state.db.engine.connect() as conn:
            status = await conn.scalar(select(outbox.c.status).where(outbox.c.id == event_id))
        assert status == DELIVERED  # delivered again, and acknowledged

        async with httpx.AsyncClient(base_url=notifications_service.url) as notifications:
            listed = await notifications.get(
                f"/api/notifications/user/{user['id']}", headers=harness_bearer("admin")
            )
        assert listed.status_code == 200
        assert [n["template"] for n in listed.json()["items"]] == ["welcome"]
        assert len(emails_to(users_settings.mailbox_dir, email)) == 1
