"""The access-token signing key: from the environment, or generated once under the data dir.

Several instances may start together on one data dir: the key is written to a temporary file
and hard-linked into place, which fails if another process won the race, in which case its key
is read back, so every instance signs with the same key.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm

from mercato.kit.auth import ACCESS_TOKEN_TYPE
from mercato.kit.settings import Settings

KEY_FILE = "users-signing-key.pem"
SigningPrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class SigningKey:
    private_key: SigningPrivateKey
    kid: str
    algorithm: str

    @property
    def public_key(self) -> Any:
        return self.private_key.public_key()

    def public_jwk(self) -> dict[str, Any]:
        jwk = _public_jwk(self.private_key)
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def sign_access_token(
        self,
        *,
        user_id: str,
        role: str,
        session_id: str,
        issuer: str,
        audience: str,
        ttl_seconds: int,
    ) -> str:
        # `iat` keeps sub-second precision: a "revoked before" mark set during this second
        # must not also reject the token issued right after it (a login after a reset).
        now = time.time()
        claims = {
            "sub": user_id,
            "role": role,
            "jti": secrets.token_hex(16),
            "iat": now,
            "exp": int(now) + ttl_seconds,
            "iss": issuer,
            "aud": audience,
            "typ": ACCESS_TOKEN_TYPE,
            "sid": session_id,
        }
        return jwt.encode(claims, self.private_key, self.algorithm, headers={"kid": self.kid})


def _public_jwk(private_key: SigningPrivateKey) -> dict[str, Any]:
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return dict(OKPAlgorithm.to_jwk(private_key.public_key(), as_dict=True))
    return dict(RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True))


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 of the key's required members, sorted, without whitespace."""
    required = {"OKP": ("crv", "kty", "x"), "RSA": ("e", "kty", "n")}[jwk["kty"]]
    canonical = json.dumps({name: jwk[name] for name in required}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _from_pem(pem: bytes) -> SigningKey:
    private_key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(private_key, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey):
        raise ValueError("the users signing key must be an Ed25519 or RSA private key")
    algorithm = "EdDSA" if isinstance(private_key, ed25519.Ed25519PrivateKey) else "RS256"
    return SigningKey(private_key, thumbprint(_public_jwk(private_key)), algorithm)


def _generate_pem() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_or_create(directory: Path) -> bytes:
    path = directory / KEY_FILE
    if path.exists():
        return path.read_bytes()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = directory / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(_generate_pem())
            file.flush()
            os.fsync(file.fileno())
        # Fails when another instance won the race: its key is read back below.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_bytes()


def load_signing_key(settings: Settings) -> SigningKey:
    if settings.jwt_private_key:
        return _from_pem(settings.jwt_private_key.encode())
    return _from_pem(_load_or_create(settings.keys_dir))
