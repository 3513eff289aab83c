"""Refresh rotation with reuse detection, and logout seen by every instance."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from mercato.kit.settings import Settings
from mercato.users.app import create_app

from .support import bearer, client_for, log_in, refresh, register


@pytest.fixture
async def second_instance(users_settings: Settings) -> AsyncIterator[FastAPI]:
    """Another process of the users service on the same databases, key store and key files."""
    app = create_app(users_settings)
    async with LifespanManager(app):
        yield app


class TestRefresh:
    async def test_rotates_the_pair(self, client: httpx.AsyncClient) -> None:
        first = await register(client)
        response = await refresh(client, first["refresh_token"])
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        second = response.json()
        assert second["refresh_token"] != first["refresh_token"]
        assert second["user"]["id"] == first["user"]["id"]
        me = await client.get("/api/auth/me", headers=bearer(second["access_token"]))
        assert me.status_code == 200
        assert (await refresh(client, second["refresh_token"])).status_code == 200

    async def test_reusing_a_spent_token_revokes_the_whole_family(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await register(client)
        second = (await refresh(client, first["refresh_token"])).json()
        replay = await refresh(client, first["refresh_token"])
        assert replay.status_code == 401
        assert replay.json()["code"] == "invalid_refresh_token"
        # The thief's replay also ends the legitimate holder's newer token.
        assert (await refresh(client, second["refresh_token"])).status_code == 401

    async def test_other_sessions_survive_a_reuse(self, client: httpx.AsyncClient) -> None:
        first = await register(client)
        other = (await log_in(client, first["user"]["email"])).json()
        await refresh(client, first["refresh_token"])
        await refresh(client, first["refresh_token"])
        assert (await refresh(client, other["refresh_token"])).status_code == 200

    async def test_an_unknown_token_is_401(self, client: httpx.AsyncClient) -> None:
        assert (await refresh(client, "made-up")).status_code == 401

    async def test_an_access_token_is_not_a_refresh_token(self, client: httpx.AsyncClient) -> None:
        pair = await register(client)
        assert (await refresh(client, pair["access_token"])).status_code == 401


class TestLogout:
    async def test_revokes_the_access_and_refresh_tokens(self, client: httpx.AsyncClient) -> None:
        pair = await register(client)
        response = await client.post(
            "/api/auth/logout",
            json={"refresh_token": pair["refresh_token"]},
            headers=bearer(pair["access_token"]),
        )
        assert response.status_code == 204
        me = await client.get("/api/auth/me", headers=bearer(pair["access_token"]))
        assert me.status_code == 401
        assert (await refresh(client, pair["refresh_token"])).status_code == 401

    async def test_without_a_body_ends_the_tokens_session(self, client: httpx.AsyncClient) -> None:
        pair = await register(client)
        rotated = (await refresh(client, pair["refresh_token"])).json()
        response = await client.post("/api/auth/logout", headers=bearer(rotated["access_token"]))
        assert response.status_code == 204
        assert (await refresh(client, rotated["refresh_token"])).status_code == 401

    async def test_leaves_other_sessions_signed_in(self, client: httpx.AsyncClient) -> None:
        pair = await register(client)
        other = (await log_in(client, pair["user"]["email"])).json()
        await client.post("/api/auth/logout", headers=bearer(pair["access_token"]))
        me = await client.get("/api/auth/me", headers=bearer(other["access_token"]))
        assert me.status_code == 200
        assert (await refresh(client, other["refresh_token"])).status_code == 200

    async def test_someone_elses_refresh_token_is_not_revoked(
        self, client: httpx.AsyncClient
    ) -> None:
        mine, theirs = await register(client), await register(client)
        await client.post(
            "/api/auth/logout",
            json={"refresh_token": theirs["refresh_token"]},
            headers=bearer(mine["access_token"]),
        )
        assert (await refresh(client, theirs["refresh_token"])).status_code == 200

    async def test_needs_an_access_token(self, client: httpx.AsyncClient) -> None:
        assert (await client.post("/api/auth/logout")).status_code == 401

    async def test_is_seen_at_once_by_a_second_instance(
        self, client: httpx.AsyncClient, second_instance: FastAPI
    ) -> None:
        pair = await register(client)
        async with client_for(second_instance) as elsewhere:
            me = await elsewhere.get("/api/auth/me", headers=bearer(pair["access_token"]))
            assert me.status_code == 200  # same signing key on both instances
            await client.post("/api/auth/logout", headers=bearer(pair["access_token"]))
            me = await elsewhere.get("/api/auth/me", headers=bearer(pair["access_token"]))
            assert me.status_code == 401
            assert (await refresh(elsewhere, pair["refresh_token"])).status_code == 401


class TestRefreshRace:
    async def test_one_token_presented_at_once_rotates_exactly_once(
        self, client: httpx.AsyncClient
    ) -> None:
        pair = await register(client)
        answers = await asyncio.gather(*(refresh(client, pair["refresh_token"]) for _ in range(6)))
        assert sorted(a.status_code for a in answers) == [200] + [401] * 5
