"""Opaque tokens handed to clients (refresh tokens, emailed links): random, stored hashed.

SHA-256 and not bcrypt: the tokens carry 256 bits of randomness, so a fast hash is enough
to make a stolen table useless, and lookup by hash stays an index seek.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
