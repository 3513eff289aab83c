"""GET and PATCH /api/auth/me: the caller's own account and profile."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import delete, update

from mercato.kit.db import Database
from mercato.kit.settings import Settings
from mercato.users.models import User

from .support import bearer, register


class TestReadMe:
    async def test_answers_the_callers_account(self, client: httpx.AsyncClient) -> None:
        pair = await register(client, name="Lin")
        response = await client.get("/api/auth/me", headers=bearer(pair["access_token"]))
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert response.json() == pair["user"]

    @pytest.mark.parametrize("change", ["suspend", "delete"])
    async def test_refuses_a_live_token_of_an_account_gone_inactive(
        self, client: httpx.AsyncClient, users_settings: Settings, change: str
    ) -> None:
        pair = await register(client)
        user_id = pair["user"]["id"]
        # Changed behind the service's back, so no revocation is recorded: the account
        # itself must be checked on every read.
        database = Database(users_settings.database_url("users"))
        try:
            async with database.sessions.begin() as session:
                if change == "suspend":
                    await session.execute(
                        update(User).where(User.id == user_id).values(status="suspended")
                    )
                else:
                    await session.execute(delete(User).where(User.id == user_id))
        finally:
            await database.dispose()
        response = await client.get("/api/auth/me", headers=bearer(pair["access_token"]))
        assert response.status_code == 401
        assert response.json()["code"] == "account_inactive"


class TestUpdateMe:
    async def test_changes_name_phone_and_profile(self, client: httpx.AsyncClient) -> None:
        pair = await register(client)
        headers = bearer(pair["access_token"])
        address = {
            "line1": "1 Market Street",
            "city": "Lisbon",
            "postal_code": "1100-001",
            "country": "PT",
        }
        response = await client.patch(
            "/api/auth/me",
            headers=headers,
            json={
                "name": "  Ada Lovelace ",
                "phone": "+351 21 000 0000",
                "profile": {
                    "first_name": "Ada",
                    "last_name": "Lovelace",
                    "avatar_url": "https://cdn.example.com/ada.png",
                    "bio": "Analyst.",
                    "address": address,
                },
            },
        )
        assert response.status_code == 200, response.text
        user = response.json()
        assert user["name"] == "Ada Lovelace"
        assert user["phone"] == "+351 21 000 0000"
        assert user["profile"]["first_name"] == "Ada"
        assert user["profile"]["avatar_url"] == "https://cdn.example.com/ada.png"
        assert user["profile"]["address"] == address
        again = await client.get("/api/auth/me", headers=headers)
        assert again.json() == user

    async def test_changes_only_what_is_sent(self, client: httpx.AsyncClient) -> None:
        pair = await register(client, phone="+1 555 0100")
        headers = bearer(pair["access_token"])
        await client.patch("/api/auth/me", headers=headers, json={"profile": {"bio": "Hi"}})
        response = await client.patch(
            "/api/auth/me", headers=headers, json={"profile": {"first_name": "Bo"}}
        )
        user = response.json()
        assert user["profile"]["bio"] == "Hi"
        assert user["profile"]["first_name"] == "Bo"
        assert user["phone"] == "+1 555 0100"
        cleared = await client.patch(
            "/api/auth/me", headers=headers, json={"phone": None, "profile": {"bio": None}}
        )
        assert cleared.json()["phone"] is None
        assert cleared.json()["profile"]["bio"] is None
        assert cleared.json()["profile"]["first_name"] == "Bo"

    @pytest.mark.parametrize(
        "body",
        [
            {"role": "admin"},
            {"email": "new@example.com"},
            {"status": "active"},
            {"email_verified": True},
            {"name": None},
            {"name": ""},
            {"phone": "call me"},
            {"profile": {"avatar_url": "javascript:alert(1)"}},
            {"profile": {"address": {"line1": "x"}}},
            {"profile": {"is_admin": True}},
        ],
    )
    async def test_refuses_what_cannot_be_changed_here(
        self, client: httpx.AsyncClient, body: dict[str, object]
    ) -> None:
        pair = await register(client)
        headers = bearer(pair["access_token"])
        response = await client.patch("/api/auth/me", headers=headers, json=body)
        assert response.status_code == 422
        assert response.json()["errors"]
        unchanged = await client.get("/api/auth/me", headers=headers)
        assert unchanged.json() == pair["user"]

    async def test_needs_a_token(self, client: httpx.AsyncClient) -> None:
        assert (await client.patch("/api/auth/me", json={"name": "X"})).status_code == 401
