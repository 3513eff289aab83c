"""Bearer-token verification for every service: JWKS public keys, revocation, roles.

The users service signs access tokens; every other service verifies them locally with the
public keys it fetches from the users service's JWKS, and asks the key-value store whether
the token (by `jti`) or every token of its user was revoked. When that store cannot be
reached the answer is 503: a revoked token is never accepted because a store was down.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import aiohttp
import jwt
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from fastapi import Depends, Request
from jwt import PyJWK

from mercato.kit.errors import Forbidden, ServiceUnavailable, Unauthorized
from mercato.kit.kv import KeyValueStore, KeyValueUnavailable

Role = Literal["customer", "admin"]
ALGORITHMS = ["EdDSA", "RS256"]
ACCESS_TOKEN_TYPE = "access"
LEEWAY_SECONDS = 5
"""Clock skew tolerated on `exp` and `iat` between the signer and a verifier."""
VERIFIED_TOKENS_KEPT = 10_000
"""Verified tokens a verifier remembers (a few MB at most), oldest forgotten first."""


def revoked_token_key(jti: str) -> str:
    return f"auth:revoked:{jti}"


def revoked_before_key(user_id: str) -> str:
    """Tokens of this user issued before the stored time are no longer accepted."""
    return f"auth:revoked-before:{user_id}"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the verified claims of an access token."""

    user_id: str
    role: Role
    jti: str
    expires_at: int
    issued_at: float
    session_id: str | None = None
    """The refresh-token family this access token was issued with (`sid` claim)."""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class KeySource:
    """Where verification keys come from: a fixed set, or a JWKS URL refreshed on unknown `kid`."""

    def __init__(
        self,
        keys: dict[str, Any] | None = None,
        *,
        jwks_url: str | None = None,
        refresh_interval: float = 30.0,
    ) -> None:
        self._keys: dict[str, Any] = dict(keys or {})
        self._jwks_url = jwks_url
        self._refresh_interval = refresh_interval
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> Any:
        key = self._lookup(kid)
        if key is not None or self._jwks_url is None:
            return key
        async with self._lock:
            key = self._lookup(kid)
            if key is None and (
                self._fetched_at is None
                or time.monotonic() - self._fetched_at > self._refresh_interval
            ):
                await self._fetch()
                key = self._lookup(kid)
        return key

    def _lookup(self, kid: str | None) -> Any:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _fetch(self) -> None:
        assert self._jwks_url is not None
        self._fetched_at = time.monotonic()
        try:
            timeout = aiohttp.ClientTimeout(total=3)
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(self._jwks_url) as response,
            ):
                response.raise_for_status()
                document = await response.json()
            if not isinstance(document, dict):
                raise ValueError("a JWKS document is a JSON object")
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            if not self._keys:
                raise ServiceUnavailable("The token signing keys cannot be fetched.") from exc
            return
        for entry in document.get("keys", []):
            try:
                self._keys[entry["kid"]] = PyJWK(entry).key
            except (KeyError, jwt.PyJWTError):
                continue


def _algorithm_for(key: Any) -> str | None:
    # Each key verifies with its own algorithm only: PyJWT raises TypeError (a 500) when a
    # token's `alg` names a different key type, and must never try HS256 with public bytes.
    if isinstance(key, Ed25519PublicKey | Ed448PublicKey):
        return "EdDSA"
    if isinstance(key, RSAPublicKey):
        return "RS256"
    return None


class TokenVerifier:
    def __init__(
        self,
        keys: KeySource,
        kv: KeyValueStore,
        *,
        issuer: str,
        audience: str,
        remember: int = VERIFIED_TOKENS_KEPT,
    ) -> None:
        self.keys = keys
        self.kv = kv
        self.issuer = issuer
        self.audience = audience
        # A client sends the same token for its whole lifetime, and checking its signature
        # is most of the cost of verifying it: the principal of a token that passed is kept,
        # keyed by the token's exact text. Its expiry is checked again on every use and
        # revocation is never cached. Keys are only ever added, so a signature that was
        # valid stays valid.
        self._verified: dict[str, Principal] = {}
        self._remember = remember

    async def verify(self, token: str) -> Principal:
        principal = self._verified.get(token)
        if principal is None or principal.expires_at <= time.time() - LEEWAY_SECONDS:
            self._verified.pop(token, None)
            principal = await self._verify_signed(token)
            if len(self._verified) >= self._remember:
                del self._verified[next(iter(self._verified))]
            self._verified[token] = principal
        await self._check_revocation(principal)
        return principal

    async def _verify_signed(self, token: str) -> Principal:
        """The token's signature, algorithm, issuer, audience, lifetime and type, checked."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("The access token is malformed.") from exc
        if header.get("alg") not in ALGORITHMS:
            raise Unauthorized("The access token's algorithm is not accepted.")
        kid = header.get("kid")
        key = await self.keys.key_for(kid if isinstance(kid, str) else None)
        if key is None:
            raise Unauthorized("The access token was signed by an unknown key.")
        algorithm = _algorithm_for(key)
        if algorithm is None or header["alg"] != algorithm:
            raise Unauthorized("The access token's algorithm does not match its key.")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["sub", "exp", "iat", "jti", "iss", "aud"]},
                leeway=LEEWAY_SECONDS,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The access token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("The access token is invalid.") from exc
        if claims.get("typ") != ACCESS_TOKEN_TYPE or claims.get("role") not in (
            "customer",
            "admin",
        ):
            raise Unauthorized("The token is not an access token.")
        return Principal(
            user_id=str(claims["sub"]),
            role=claims["role"],
            jti=str(claims["jti"]),
            expires_at=int(claims["exp"]),
            issued_at=float(claims["iat"]),
            session_id=str(claims["sid"]) if claims.get("sid") else None,
        )

    async def _check_revocation(self, principal: Principal) -> None:
        try:
            revoked, revoked_before = await self.kv.get_many(
                [revoked_token_key(principal.jti), revoked_before_key(principal.user_id)]
            )
        except KeyValueUnavailable as exc:
            raise ServiceUnavailable("Token revocation cannot be checked right now.") from exc
        if revoked is not None:
            raise Unauthorized("The access token has been revoked.")
        if revoked_before is not None and principal.issued_at < float(revoked_before):
            raise Unauthorized("The access token has been revoked.")


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A bearer access token is required.")
    return token.strip()


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified caller. Needs `app.state.verifier`."""
    verifier: TokenVerifier = request.app.state.verifier
    principal = await verifier.verify(bearer_token(request))
    request.state.principal = principal
    return principal


async def admin_principal(
    principal: Annotated[Principal, Depends(current_principal)],
) -> Principal:
    if not principal.is_admin:
        raise Forbidden("This action needs the admin role.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
AdminPrincipal = Annotated[Principal, Depends(admin_principal)]


async def require_service_token(request: Request) -> None:
    """FastAPI dependency for `/internal/...` routes: the caller is one of our services."""
    expected: str = request.app.state.settings.service_token
    presented = request.headers.get("x-service-token", "")
    if not presented or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise Unauthorized("A service credential is required.")
