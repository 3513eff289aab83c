"""GET /internal/users/{id}: how other services (notifications) reach a user, with the
service credential only."""

from __future__ import annotations

import uuid

import httpx

from harness import SERVICE_TOKEN

from .support import register, unique_email

SERVICE = {"X-Service-Token": SERVICE_TOKEN}


class TestInternalUser:
    async def test_answers_the_contact_details(self, client: httpx.AsyncClient) -> None:
        email = unique_email()
        user = (await register(client, email, name="Grace Hopper"))["user"]
        response = await client.get(f"/internal/users/{user['id']}", headers=SERVICE)
        assert response.status_code == 200
        assert response.json() == {
            "id": user["id"],
            "email": email,
            "name": "Grace Hopper",
            "email_verified": False,
            "status": "active",
        }

    async def test_needs_the_service_credential(self, client: httpx.AsyncClient) -> None:
        user = (await register(client))["user"]
        bare = await client.get(f"/internal/users/{user['id']}")
        assert bare.status_code == 401
        assert bare.headers["content-type"] == "application/problem+json"
        wrong = await client.get(
            f"/internal/users/{user['id']}", headers={"X-Service-Token": "not-the-token"}
        )
        assert wrong.status_code == 401
        # A user's own access token is no service credential either.
        own = await client.get(
            f"/internal/users/{user['id']}",
            headers={"Authorization": f"Bearer {(await register(client))['access_token']}"},
        )
        assert own.status_code == 401

    async def test_an_unknown_user_is_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"/internal/users/{uuid.uuid4()}", headers=SERVICE)
        assert response.status_code == 404
        assert response.json()["code"] == "user_not_found"

    async def test_an_id_that_is_no_uuid_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/internal/users/not-a-uuid", headers=SERVICE)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "user_id"
