"""Access-token verification as every service does it: forged, foreign, expired, revoked."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.asymmetric import ed25519
from fastapi import FastAPI

from mercato.kit.settings import Settings
from mercato.users.app import create_app
from mercato.users.keys import SigningKey

from .support import bearer, client_for, register


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def signed(key: SigningKey, claims: dict[str, Any], **headers: Any) -> str:
    return jwt.encode(claims, key.private_key, "EdDSA", headers={"kid": key.kid, **headers})


async def me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/auth/me", headers=bearer(token))


class TestForgedTokens:
    async def test_the_claims_are_the_contract(
        self, client: httpx.AsyncClient, users_settings: Settings
    ) -> None:
        pair = await register(client)
        header = jwt.get_unverified_header(pair["access_token"])
        assert header["alg"] == "EdDSA"
        claims = claims_of(pair["access_token"])
        assert claims["sub"] == pair["user"]["id"]
        assert claims["role"] == "customer"
        assert claims["typ"] == "access"
        assert claims["iss"] == users_settings.jwt_issuer
        assert claims["aud"] == users_settings.jwt_audience
        assert claims["exp"] - claims["iat"] == pytest.approx(900, abs=1)
        assert claims["jti"]
        assert claims["sid"]

    async def test_alg_none_is_refused(self, client: httpx.AsyncClient) -> None:
        pair = await register(client)
        claims = claims_of(pair["access_token"])
        claims["role"] = "admin"
        header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        forged = f"{header}.{_b64(json.dumps(claims).encode())}."
        response = await me(client, forged)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_tampered_payload_is_refused(self, client: httpx.AsyncClient) -> None:
        pair = await register(client)
        head, _, signature = pair["access_token"].split(".")
        claims = claims_of(pair["access_token"])
        claims["role"] = "admin"
        forged = f"{head}.{_b64(json.dumps(claims).encode())}.{signature}"
        assert (await me(client, forged)).status_code == 401
        assert (await client.get("/api/users", headers=bearer(forged))).status_code == 401

    async def test_a_token_signed_by_another_key_is_refused(
        self, client: httpx.AsyncClient, users_app: FastAPI
    ) -> None:
        pair = await register(client)
        key: SigningKey = users_app.state.signing_key
        stranger = SigningKey(ed25519.Ed25519PrivateKey.generate(), key.kid, "EdDSA")
        assert (
            await me(client, signed(stranger, claims_of(pair["access_token"])))
        ).status_code == 401

    @pytest.mark.parametrize(("claim", "value"), [("iss", "evil-issuer"), ("aud", "other-app")])
    async def test_wrong_issuer_or_audience_is_refused(
        self, client: httpx.AsyncClient, users_app: FastAPI, claim: str, value: str
    ) -> None:
        pair = await register(client)
        claims = {**claims_of(pair["access_token"]), claim: value}
        token = signed(users_app.state.signing_key, claims)
        assert (await me(client, token)).status_code == 401

    async def test_an_expired_token_is_refused(
        self, client: httpx.AsyncClient, users_app: FastAPI
    ) -> None:
        pair = await register(client)
        now = int(time.time())
        claims = {**claims_of(pair["access_token"]), "iat": now - 1000, "exp": now - 60}
        response = await me(client, signed(users_app.state.signing_key, claims))
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]

    async def test_a_refresh_token_is_not_an_access_token(self, client: httpx.AsyncClient) -> None:
        pair = await register(client)
        assert (await me(client, pair["refresh_token"])).status_code == 401

    async def test_a_token_of_another_type_is_refused(
        self, client: httpx.AsyncClient, users_app: FastAPI
    ) -> None:
        pair = await register(client)
        claims = {**claims_of(pair["access_token"]), "typ": "refresh"}
        assert (await me(client, signed(users_app.state.signing_key, claims))).status_code == 401

    async def test_no_token_and_a_bad_scheme_are_401(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/api/auth/me")).status_code == 401
        response = await client.get("/api/auth/me", headers={"Authorization": "Basic abc"})
        assert response.status_code == 401
        assert (await me(client, "not.a.jwt")).status_code == 401


class TestJWKS:
    async def test_publishes_the_key_that_verifies_tokens(self, client: httpx.AsyncClient) -> None:
        pair = await register(client)
        response = await client.get("/.well-known/jwks.json")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "public, max-age=300"
        (jwk,) = response.json()["keys"]
        assert jwk["kty"] == "OKP"
        assert jwk["crv"] == "Ed25519"
        assert jwk["alg"] == "EdDSA"
        assert "d" not in jwk  # never the private part
        assert jwt.get_unverified_header(pair["access_token"])["kid"] == jwk["kid"]
        claims = jwt.decode(
            pair["access_token"],
            jwt.PyJWK(jwk).key,
            algorithms=["EdDSA"],
            audience="mercato",
        )
        assert claims["sub"] == pair["user"]["id"]


@pytest.fixture
async def app_without_kv(users_settings: Settings) -> AsyncIterator[FastAPI]:
    """The users service whose key-value store (the revocation list) is unreachable."""
    settings = users_settings.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"})
    app = create_app(settings)
    async with LifespanManager(app):
        yield app


class TestRevocationListDown:
    async def test_authenticated_calls_answer_503(
        self, client: httpx.AsyncClient, app_without_kv: FastAPI
    ) -> None:
        pair = await register(client)
        async with client_for(app_without_kv) as broken:
            response = await me(broken, pair["access_token"])
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            login = await broken.post(
                "/api/auth/login", json={"email": pair["user"]["email"], "password": "x" * 10}
            )
            assert login.status_code == 503
