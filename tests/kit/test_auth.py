"""Access-token verification and the auth dependencies, on a throwaway FastAPI app."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import math
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, FastAPI
from jwt.algorithms import OKPAlgorithm

from mercato.kit.auth import (
    AdminPrincipal,
    CurrentPrincipal,
    KeySource,
    Principal,
    TokenVerifier,
    require_service_token,
    revoked_before_key,
    revoked_token_key,
)
from mercato.kit.errors import PROBLEM_JSON, Unauthorized, install_error_handlers
from mercato.kit.kv import KeyValueStore, RedisStore
from mercato.kit.settings import Settings

ISSUER = "mercato-users"
AUDIENCE = "mercato"
KID = "key-1"
SERVICE_TOKEN = "internal-token-for-tests"
SIGNING_KEY = Ed25519PrivateKey.generate()


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "role": "customer",
        "typ": "access",
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 900,
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def access_token(
    key: Any = SIGNING_KEY, *, kid: str | None = KID, algorithm: str = "EdDSA", **overrides: Any
) -> str:
    headers = {"kid": kid} if kid else None
    return jwt.encode(claims(**overrides), key, algorithm=algorithm, headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_token(secret: bytes) -> str:
    """Signed by hand: PyJWT rightly refuses to use a public key as an HMAC secret."""
    signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': KID}).encode())}"
    signing_input += f".{_b64(json.dumps(claims()).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def tampered_payload() -> str:
    header, _, signature = access_token().split(".")
    forged = _b64(json.dumps(claims(role="admin")).encode())
    return f"{header}.{forged}.{signature}"


def tampered_signature() -> str:
    token = access_token()
    flipped = "A" if token[-5] != "A" else "B"
    return token[:-5] + flipped + token[-4:]


def public_pem() -> bytes:
    return SIGNING_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def build_app(kv: KeyValueStore, keys: KeySource | None = None) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.state.verifier = TokenVerifier(
        keys or KeySource({KID: SIGNING_KEY.public_key()}), kv, issuer=ISSUER, audience=AUDIENCE
    )
    app.state.settings = Settings(env="test", service_token=SERVICE_TOKEN)

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"user_id": principal.user_id, "role": principal.role, "sid": principal.session_id}

    @app.get("/admin")
    async def admin(principal: AdminPrincipal) -> dict[str, str]:
        return {"user_id": principal.user_id}

    @app.get("/internal/ping", dependencies=[Depends(require_service_token)])
    async def internal() -> dict[str, bool]:
        return {"ok": True}

    return app


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc")


@pytest.fixture
async def client(kv: KeyValueStore) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(build_app(kv)) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["status"] == 401


class TestVerifier:
    async def test_valid_token_gives_the_principal(self, kv: KeyValueStore) -> None:
        verifier = TokenVerifier(
            KeySource({KID: SIGNING_KEY.public_key()}), kv, issuer=ISSUER, audience=AUDIENCE
        )
        values = claims(role="admin", sid="family-1")
        token = jwt.encode(values, SIGNING_KEY, algorithm="EdDSA", headers={"kid": KID})

        principal = await verifier.verify(token)

        assert principal == Principal(
            user_id=values["sub"],
            role="admin",
            jti=values["jti"],
            expires_at=values["exp"],
            issued_at=values["iat"],
            session_id="family-1",
        )
        assert principal.is_admin

    async def test_a_remembered_token_is_refused_once_it_expires(self, kv: KeyValueStore) -> None:
        verifier = TokenVerifier(
            KeySource({KID: SIGNING_KEY.public_key()}), kv, issuer=ISSUER, audience=AUDIENCE
        )
        # Expired 3-4 s ago: inside the 5 s leeway until the second `exp + 5`.
        exp = math.ceil(time.time()) - 4
        token = access_token(exp=exp)
        assert (await verifier.verify(token)).expires_at < time.time()
        assert await verifier.verify(token)  # now answered from what it remembers

        await asyncio.sleep(exp + 5.05 - time.time())

        with pytest.raises(Unauthorized, match="expired"):
            await verifier.verify(token)

    async def test_verifies_right_beyond_what_it_remembers(self, kv: KeyValueStore) -> None:
        verifier = TokenVerifier(
            KeySource({KID: SIGNING_KEY.public_key()}),
            kv,
            issuer=ISSUER,
            audience=AUDIENCE,
            remember=1,
        )
        users = [str(uuid.uuid4()) for _ in range(3)]
        tokens = [access_token(sub=user) for user in users]
        for _ in range(2):
            assert [(await verifier.verify(t)).user_id for t in tokens] == users
        with pytest.raises(Unauthorized):
            await verifier.verify(tampered_signature())

    async def test_a_single_key_needs_no_kid(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/me", headers=bearer(access_token(kid=None)))
        assert response.status_code == 200


class TestBearerTokens:
    async def test_valid_token(self, client: httpx.AsyncClient) -> None:
        token = access_token(sub="user-42", sid="fam")
        response = await client.get("/me", headers=bearer(token))
        assert response.status_code == 200
        assert response.json() == {"user_id": "user-42", "role": "customer", "sid": "fam"}

    @pytest.mark.parametrize(
        "make_token",
        [
            pytest.param(lambda: jwt.encode(claims(), "", algorithm="none"), id="alg-none"),
            pytest.param(lambda: hs256_token(public_pem()), id="hs256-with-public-pem"),
            pytest.param(
                lambda: hs256_token(
                    SIGNING_KEY.public_key().public_bytes(
                        serialization.Encoding.Raw, serialization.PublicFormat.Raw
                    )
                ),
                id="hs256-with-raw-public-key",
            ),
            pytest.param(tampered_payload, id="tampered-payload"),
            pytest.param(tampered_signature, id="tampered-signature"),
            pytest.param(lambda: access_token(key=Ed25519PrivateKey.generate()), id="other-key"),
            pytest.param(
                lambda: access_token(
                    key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
                    algorithm="RS256",
                ),
                id="rs256-under-an-ed25519-kid",
            ),
            pytest.param(lambda: access_token(iss="someone-else"), id="wrong-iss"),
            pytest.param(lambda: access_token(aud="another-app"), id="wrong-aud"),
            pytest.param(
                lambda: access_token(iat=int(time.time()) - 1000, exp=int(time.time()) - 60),
                id="expired",
            ),
            pytest.param(lambda: access_token(typ="refresh"), id="refresh-token"),
            pytest.param(lambda: access_token(typ=None), id="no-typ"),
            pytest.param(lambda: access_token(role="superuser"), id="unknown-role"),
            pytest.param(lambda: access_token(kid="key-unknown"), id="unknown-kid"),
            pytest.param(lambda: "not.a.jwt", id="garbage"),
        ],
    )
    async def test_refused(self, client: httpx.AsyncClient, make_token: Callable[[], str]) -> None:
        assert_unauthorized(await client.get("/me", headers=bearer(make_token())))

    @pytest.mark.parametrize("claim", ["sub", "exp", "iat", "jti", "iss", "aud", "role"])
    async def test_missing_claim(self, client: httpx.AsyncClient, claim: str) -> None:
        missing: dict[str, Any] = {claim: None}
        token = access_token(**missing)
        assert_unauthorized(await client.get("/me", headers=bearer(token)))

    @pytest.mark.parametrize(
        "authorization", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Token abc"]
    )
    async def test_missing_or_malformed_header(
        self, client: httpx.AsyncClient, authorization: str | None
    ) -> None:
        headers = {} if authorization is None else {"Authorization": authorization}
        assert_unauthorized(await client.get("/me", headers=headers))

    async def test_scheme_is_case_insensitive(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/me", headers={"Authorization": f"bearer {access_token()}"})
        assert response.status_code == 200


class TestRevocation:
    async def test_revoked_jti(self, client: httpx.AsyncClient, kv: KeyValueStore) -> None:
        jti = uuid.uuid4().hex
        token = access_token(jti=jti)
        assert (await client.get("/me", headers=bearer(token))).status_code == 200

        await kv.set(revoked_token_key(jti), "1", ttl=900)

        assert_unauthorized(await client.get("/me", headers=bearer(token)))
        assert (await client.get("/me", headers=bearer(access_token()))).status_code == 200

    async def test_revoked_before(self, client: httpx.AsyncClient, kv: KeyValueStore) -> None:
        user = str(uuid.uuid4())
        now = int(time.time())
        old = access_token(sub=user, iat=now - 60)
        await kv.set(revoked_before_key(user), str(now - 30))

        assert_unauthorized(await client.get("/me", headers=bearer(old)))
        fresh = access_token(sub=user, iat=now)
        assert (await client.get("/me", headers=bearer(fresh))).status_code == 200
        other_user = access_token(iat=now - 60)
        assert (await client.get("/me", headers=bearer(other_user))).status_code == 200

    async def test_store_down_answers_503_never_accepts(self) -> None:
        down = RedisStore("redis://127.0.0.1:1/0")
        async with client_for(build_app(down)) as c:
            response = await c.get("/me", headers=bearer(access_token()))
        await down.close()
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM_JSON


class TestRoles:
    async def test_customer_on_admin_route_is_forbidden(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/admin", headers=bearer(access_token(role="customer")))
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"

    async def test_admin_on_admin_route(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/admin", headers=bearer(access_token(role="admin")))
        assert response.status_code == 200

    async def test_admin_route_without_token_is_401(self, client: httpx.AsyncClient) -> None:
        assert_unauthorized(await client.get("/admin"))


class TestServiceToken:
    async def test_accepts_the_service_token(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/internal/ping", headers={"X-Service-Token": SERVICE_TOKEN})
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "presented", [None, b"", b"wrong", SERVICE_TOKEN.encode() + b"x", b"\xe9"]
    )
    async def test_refuses_anything_else(
        self, client: httpx.AsyncClient, presented: bytes | None
    ) -> None:
        headers = {} if presented is None else {b"x-service-token": presented}
        response = await client.get("/internal/ping", headers=headers)
        assert response.status_code == 401

    async def test_a_user_token_is_not_a_service_token(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/internal/ping", headers=bearer(access_token(role="admin")))
        assert response.status_code == 401


class JwksServer:
    """A real HTTP server publishing a JWKS document the test can rotate."""

    def __init__(self) -> None:
        self.keys: dict[str, Ed25519PrivateKey] = {}
        self.requests = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _jwks(self, _: web.Request) -> web.Response:
        self.requests += 1
        entries = []
        for kid, key in self.keys.items():
            entry = OKPAlgorithm.to_jwk(key.public_key(), as_dict=True)
            entries.append({**entry, "kid": kid, "alg": "EdDSA", "use": "sig"})
        return web.json_response({"keys": entries})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/.well-known/jwks.json", self._jwks)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/.well-known/jwks.json"

    async def stop(self) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


@pytest.fixture
async def jwks() -> AsyncIterator[JwksServer]:
    server = JwksServer()
    await server.start()
    yield server
    await server.stop()


class TestJwksKeySource:
    async def test_fetches_and_refetches_on_unknown_kid_once_per_interval(
        self, jwks: JwksServer, kv: KeyValueStore
    ) -> None:
        first, second = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
        jwks.keys = {"k1": first}
        keys = KeySource(jwks_url=jwks.url, refresh_interval=0.5)
        async with client_for(build_app(kv, keys)) as c:
            ok = await c.get("/me", headers=bearer(access_token(first, kid="k1")))
            assert ok.status_code == 200
            assert jwks.requests == 1

            # The users service rotates its key. Within the refresh interval of the last
            # fetch an unknown kid is refused without asking again...
            jwks.keys = {"k1": first, "k2": second}
            rotated = bearer(access_token(second, kid="k2"))
            assert_unauthorized(await c.get("/me", headers=rotated))
            assert jwks.requests == 1

            # ...after it, one fetch serves every concurrent request that needs it.
            await asyncio.sleep(0.6)
            answers = await asyncio.gather(*(c.get("/me", headers=rotated) for _ in range(5)))
            assert [r.status_code for r in answers] == [200] * 5
            assert jwks.requests == 2

            # Unknown kids do not hammer the users service...
            for _ in range(5):
                unknown = await c.get("/me", headers=bearer(access_token(first, kid="nope")))
                assert_unauthorized(unknown)
            assert jwks.requests == 2

            # ...but are looked up again once the interval has passed.
            await asyncio.sleep(0.6)
            assert_unauthorized(await c.get("/me", headers=bearer(access_token(kid="nope"))))
            assert jwks.requests == 3
            assert (await c.get("/me", headers=bearer(access_token(first, kid="k1")))).is_success
            assert jwks.requests == 3

    async def test_unreachable_jwks_without_keys_is_503(self, kv: KeyValueStore) -> None:
        keys = KeySource(jwks_url="http://127.0.0.1:1/.well-known/jwks.json")
        async with client_for(build_app(kv, keys)) as c:
            response = await c.get("/me", headers=bearer(access_token()))
        assert response.status_code == 503

    async def test_key_source_refuses_on_error_with_known_keys(self, jwks: JwksServer) -> None:
        first = Ed25519PrivateKey.generate()
        jwks.keys = {"k1": first}
        keys = KeySource(jwks_url=jwks.url, refresh_interval=0)
        assert await keys.key_for("k1") is not None
        await jwks.stop()
        assert await keys.key_for("k9") is None
        assert await keys.key_for("k1") is not None
        await jwks.start()  # for the fixture's teardown
