"""Changing a password, and resetting a forgotten one with the emailed link."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update

from mercato.kit.db import Database
from mercato.kit.settings import Settings
from mercato.users.models import OneTimeToken, utcnow
from mercato.users.opaque import token_hash

from .support import (
    PASSWORD,
    bearer,
    emails_to,
    link_in,
    log_in,
    refresh,
    register,
    unique_email,
    wait_for_email,
)

NEW_PASSWORD = "a brand new secret"


class TestChangePassword:
    async def test_changes_it_and_ends_other_sessions(self, client: httpx.AsyncClient) -> None:
        here = await register(client)
        email = here["user"]["email"]
        elsewhere = (await log_in(client, email, PASSWORD)).json()
        response = await client.post(
            "/api/auth/change-password",
            headers=bearer(here["access_token"]),
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        )
        assert response.status_code == 204
        assert (await log_in(client, email, PASSWORD)).status_code == 401
        assert (await log_in(client, email, NEW_PASSWORD)).status_code == 200
        assert (await refresh(client, elsewhere["refresh_token"])).status_code == 401
        assert (await refresh(client, here["refresh_token"])).status_code == 200

    async def test_a_wrong_current_password_is_422(self, client: httpx.AsyncClient) -> None:
        pair = await register(client)
        response = await client.post(
            "/api/auth/change-password",
            headers=bearer(pair["access_token"]),
            json={"current_password": "not the password", "new_password": NEW_PASSWORD},
        )
        assert response.status_code == 422
        assert response.json()["code"] == "wrong_password"
        assert response.json()["errors"][0]["field"] == "current_password"
        assert (await log_in(client, pair["user"]["email"], PASSWORD)).status_code == 200

    async def test_a_weak_new_password_is_422(self, client: httpx.AsyncClient) -> None:
        pair = await register(client)
        response = await client.post(
            "/api/auth/change-password",
            headers=bearer(pair["access_token"]),
            json={"current_password": PASSWORD, "new_password": "€" * 25},
        )
        assert response.status_code == 422

    async def test_needs_a_token(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/auth/change-password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        )
        assert response.status_code == 401


class TestPasswordReset:
    async def test_the_emailed_link_resets_the_password_once(
        self, client: httpx.AsyncClient, users_settings: Settings
    ) -> None:
        pair = await register(client)
        email = pair["user"]["email"]
        response = await client.post("/api/auth/password-reset", json={"email": email.upper()})
        assert response.status_code == 202
        message = await wait_for_email(users_settings.mailbox_dir, email, "Reset")
        token = link_in(message, "/reset-password")

        confirm = await client.post(
            "/api/auth/password-reset/confirm",
            json={"token": token, "new_password": NEW_PASSWORD},
        )
        assert confirm.status_code == 204
        # Everything signed in before the reset is signed out, on every service.
        me = await client.get("/api/auth/me", headers=bearer(pair["access_token"]))
        assert me.status_code == 401
        assert (await refresh(client, pair["refresh_token"])).status_code == 401
        assert (await log_in(client, email, PASSWORD)).status_code == 401
        fresh = await log_in(client, email, NEW_PASSWORD)
        assert fresh.status_code == 200
        me = await client.get("/api/auth/me", headers=bearer(fresh.json()["access_token"]))
        assert me.status_code == 200
        assert me.json()["email_verified"] is True

        again = await client.post(
            "/api/auth/password-reset/confirm",
            json={"token": token, "new_password": "yet another secret"},
        )
        assert again.status_code == 400
        assert again.json()["code"] == "invalid_token"

    async def test_an_unknown_email_gets_the_same_answer_and_no_mail(
        self, client: httpx.AsyncClient, users_settings: Settings
    ) -> None:
        email = unique_email()
        response = await client.post("/api/auth/password-reset", json={"email": email})
        assert response.status_code == 202
        assert response.content == b""
        assert emails_to(users_settings.mailbox_dir, email) == []

    async def test_a_newer_reset_retires_the_older_link(
        self, client: httpx.AsyncClient, users_settings: Settings
    ) -> None:
        email = (await register(client))["user"]["email"]
        await client.post("/api/auth/password-reset", json={"email": email})
        first = link_in(
            await wait_for_email(users_settings.mailbox_dir, email, "Reset"), "/reset-password"
        )
        await client.post("/api/auth/password-reset", json={"email": email})
        newest = await wait_for_email(users_settings.mailbox_dir, email, "Reset", count=2)
        second = link_in(newest, "/reset-password")
        assert second != first
        ok = await client.post(
            "/api/auth/password-reset/confirm", json={"token": second, "new_password": NEW_PASSWORD}
        )
        assert ok.status_code == 204
        stale = await client.post(
            "/api/auth/password-reset/confirm", json={"token": first, "new_password": NEW_PASSWORD}
        )
        assert stale.status_code == 400

    async def test_an_expired_link_is_400(
        self, client: httpx.AsyncClient, users_settings: Settings
    ) -> None:
        email = (await register(client))["user"]["email"]
        await client.post("/api/auth/password-reset", json={"email": email})
        token = link_in(
            await wait_for_email(users_settings.mailbox_dir, email, "Reset"), "/reset-password"
        )
        database = Database(users_settings.database_url("users"))
        try:
            async with database.sessions() as session, session.begin():
                await session.execute(
                    update(OneTimeToken)
                    .where(OneTimeToken.token_hash == token_hash(token))
                    .values(expires_at=utcnow() - timedelta(seconds=1))
                )
        finally:
            await database.dispose()
        response = await client.post(
            "/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
        )
        assert response.status_code == 400
        assert (await log_in(client, email, PASSWORD)).status_code == 200

    async def test_a_made_up_token_is_400(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/auth/password-reset/confirm",
            json={"token": "made-up", "new_password": NEW_PASSWORD},
        )
        assert response.status_code == 400
