"""Password hashing with bcrypt, run in a worker thread: one hash is milliseconds of CPU at
cost 12, which would otherwise stall every request on the event loop."""

from __future__ import annotations

import asyncio
from functools import lru_cache

import bcrypt

MIN_LENGTH = 8
MAX_BYTES = 72  # bcrypt's limit: bcrypt 5 raises beyond it instead of truncating


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"The password must have at least {MIN_LENGTH} characters."
    if len(password.encode()) > MAX_BYTES:
        return f"The password must be at most {MAX_BYTES} bytes in UTF-8."
    return None


async def hash_password(password: str, rounds: int) -> str:
    hashed = await asyncio.to_thread(bcrypt.hashpw, password.encode(), bcrypt.gensalt(rounds))
    return hashed.decode()


@lru_cache(maxsize=4)
def _decoy_hash(rounds: int) -> bytes:
    return bcrypt.hashpw(b"decoy password", bcrypt.gensalt(rounds))


async def verify_password(password: str, password_hash: str | None, rounds: int) -> bool:
    """Constant work whether or not the account exists: an unknown email still costs one
    bcrypt check, so timing does not tell which emails are registered."""
    candidate = password.encode()
    if len(candidate) > MAX_BYTES:
        return False
    target = (
        password_hash.encode() if password_hash else await asyncio.to_thread(_decoy_hash, rounds)
    )
    matched = await asyncio.to_thread(bcrypt.checkpw, candidate, target)
    return matched and password_hash is not None
