"""Access tokens for tests, signed with a key every service under test is given."""

from __future__ import annotations

import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from mercato.kit.auth import KeySource

KID = "harness-test-key"
SIGNING_KEY = Ed25519PrivateKey.generate()
SERVICE_TOKEN = "harness-test-service-token"


def key_source() -> KeySource:
    return KeySource({KID: SIGNING_KEY.public_key()})


def access_token(role: str = "customer", user_id: str | None = None) -> str:
    now = int(time.time())
    claims = {
        "sub": user_id or str(uuid.uuid4()),
        "role": role,
        "typ": "access",
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 900,
        "iss": "mercato-users",
        "aud": "mercato",
    }
    return jwt.encode(claims, SIGNING_KEY, algorithm="EdDSA", headers={"kid": KID})


def bearer(role: str = "customer", user_id: str | None = None) -> dict[str, str]:
    """An Authorization header for a new user of `role` (or for `user_id`)."""
    return {"Authorization": f"Bearer {access_token(role, user_id)}"}
