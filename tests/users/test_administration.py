"""Admin endpoints: GET /api/users and PATCH /api/users/{id}; and `create_admin`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mercato.kit.errors import ValidationFailed
from mercato.kit.settings import Settings
from mercato.users.admin import create_admin

from .support import PASSWORD, bearer, log_in, refresh, register, unique_email


async def make_admin(client: httpx.AsyncClient, settings: Settings) -> dict[str, Any]:
    email = unique_email("admin")
    assert await create_admin(settings, email, PASSWORD, name="Boss") == "created"
    response = await log_in(client, email)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def admin_headers(client: httpx.AsyncClient, users_settings: Settings) -> dict[str, str]:
    """The Authorization header of a fresh admin."""
    admin = await make_admin(client, users_settings)
    return bearer(admin["access_token"])


def user_url(pair: dict[str, Any]) -> str:
    """PATCH /api/users/{id} of the account a token pair belongs to."""
    return f"/api/users/{pair['user']['id']}"


class TestCreateAdmin:
    async def test_creates_a_verified_admin(
        self, client: httpx.AsyncClient, users_settings: Settings
    ) -> None:
        admin = await make_admin(client, users_settings)
        assert admin["user"]["role"] == "admin"
        assert admin["user"]["email_verified"] is True
        assert admin["user"]["name"] == "Boss"

    async def test_promotes_an_existing_account(
        self, client: httpx.AsyncClient, users_settings: Settings
    ) -> None:
        pair = await register(client)
        email = pair["user"]["email"]
        assert await create_admin(users_settings, email.upper(), "ignored password") == "promoted"
        login = await log_in(client, email)
        assert login.json()["user"]["role"] == "admin"

    async def test_refuses_a_weak_password(self, users_settings: Settings) -> None:
        with pytest.raises(ValidationFailed):
            await create_admin(users_settings, unique_email(), "short")


class TestListUsers:
    async def test_pages_and_searches(
        self, client: httpx.AsyncClient, users_settings: Settings
    ) -> None:
        admin = await make_admin(client, users_settings)
        tag = unique_email("needle").split("@")[0]
        for n in range(3):
            await register(client, f"{tag}-{n}@example.com", name=f"Needle {n}")
        headers = bearer(admin["access_token"])
        response = await client.get(
            "/api/users", params={"q": tag.upper(), "limit": 2}, headers=headers
        )
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        page = response.json()
        assert page["total"] == 3
        assert page["page"] == 1
        assert page["limit"] == 2
        assert page["pages"] == 2
        assert len(page["items"]) == 2
        second = await client.get(
            "/api/users", params={"q": tag, "limit": 2, "page": 2}, headers=headers
        )
        emails = {u["email"] for u in page["items"] + second.json()["items"]}
        assert emails == {f"{tag}-{n}@example.com" for n in range(3)}

    async def test_q_matches_names_and_treats_wildcards_literally(
        self, client: httpx.AsyncClient, users_settings: Settings
    ) -> None:
        admin = await make_admin(client, users_settings)
        name = f"Zed {unique_email().split('@')[0]}"
        await register(client, name=name)
        headers = bearer(admin["access_token"])
        found = await client.get("/api/users", params={"q": name.lower()}, headers=headers)
        assert [u["name"] for u in found.json()["items"]] == [name]
        wildcard = await client.get("/api/users", params={"q": "%_%_%_%_%"}, headers=headers)
        assert wildcard.json()["total"] == 0

    @pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"page": 0}, {"page": "x"}])
    async def test_bad_paging_is_422(
        self, client: httpx.AsyncClient, users_settings: Settings, params: dict[str, Any]
    ) -> None:
        admin = await make_admin(client, users_settings)
        response = await client.get(
            "/api/users", params=params, headers=bearer(admin["access_token"])
        )
        assert response.status_code == 422

    async def test_customers_get_403_and_strangers_401(self, client: httpx.AsyncClient) -> None:
        pair = await register(client)
        assert (await client.get("/api/users")).status_code == 401
        response = await client.get("/api/users", headers=bearer(pair["access_token"]))
        assert response.status_code == 403


class TestUpdateUser:
    async def test_promotes_and_demotes(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        user = await register(client)
        url = user_url(user)
        promoted = await client.patch(url, json={"role": "admin"}, headers=admin_headers)
        assert promoted.status_code == 200
        assert promoted.json()["role"] == "admin"
        # The next refresh carries the new role.
        new_admin = (await refresh(client, user["refresh_token"])).json()
        listing = await client.get("/api/users", headers=bearer(new_admin["access_token"]))
        assert listing.status_code == 200
        demoted = await client.patch(url, json={"role": "customer"}, headers=admin_headers)
        assert demoted.json()["role"] == "customer"
        # The admin-role token is dead at once, not in 15 minutes.
        stale = await client.get("/api/users", headers=bearer(new_admin["access_token"]))
        assert stale.status_code == 401

    async def test_suspending_ends_every_token_at_once(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        user = await register(client)
        url = user_url(user)
        response = await client.patch(url, json={"status": "suspended"}, headers=admin_headers)
        assert response.status_code == 200
        assert response.json()["status"] == "suspended"
        me = await client.get("/api/auth/me", headers=bearer(user["access_token"]))
        assert me.status_code == 401
        assert (await refresh(client, user["refresh_token"])).status_code == 401

        reinstated = await client.patch(url, json={"status": "active"}, headers=admin_headers)
        assert reinstated.json()["status"] == "active"
        assert (await log_in(client, user["user"]["email"])).status_code == 200

    @pytest.mark.parametrize("body", [{"status": "suspended"}, {"role": "customer"}])
    async def test_an_admin_cannot_lock_themself_out(
        self, client: httpx.AsyncClient, users_settings: Settings, body: dict[str, str]
    ) -> None:
        admin = await make_admin(client, users_settings)
        response = await client.patch(
            user_url(admin), json=body, headers=bearer(admin["access_token"])
        )
        assert response.status_code == 409
        assert response.json()["code"] == "self_lockout"
        me = await client.get("/api/auth/me", headers=bearer(admin["access_token"]))
        assert me.json()["role"] == "admin"

    @pytest.mark.parametrize(
        "body", [{"role": "owner"}, {"status": "banned"}, {"email": "x@example.com"}]
    )
    async def test_bad_changes_are_422(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], body: dict[str, str]
    ) -> None:
        user = await register(client)
        response = await client.patch(user_url(user), json=body, headers=admin_headers)
        assert response.status_code == 422

    async def test_an_unknown_user_is_404(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await client.patch(
            "/api/users/00000000-0000-0000-0000-000000000000",
            json={"role": "admin"},
            headers=admin_headers,
        )
        assert response.status_code == 404

    async def test_customers_get_403(self, client: httpx.AsyncClient) -> None:
        me, other = await register(client), await register(client)
        for target in (other, me):
            response = await client.patch(
                user_url(target), json={"role": "admin"}, headers=bearer(me["access_token"])
            )
            assert response.status_code == 403
