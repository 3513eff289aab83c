"""Schemathesis fuzzes every users endpoint in process: bad input is 4xx, never 5xx.

Calls carry a fresh admin token each, so the fuzzer reaches past authentication (and a
fuzzed logout revokes only its own token).
"""

from __future__ import annotations

import uuid

import pytest
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import APIOperation

from harness import MODES, fuzz, openapi_operations
from mercato.kit.db import Database
from mercato.kit.settings import Settings
from mercato.users.admin import create_admin
from mercato.users.app import create_app
from mercato.users.keys import SigningKey
from mercato.users.repository import UserRepository

from .support import PASSWORD, unique_email


async def _admin_id(settings: Settings) -> str:
    email = unique_email("fuzz-admin")
    await create_admin(settings, email, PASSWORD)
    database = Database(settings.database_url("users"))
    try:
        async with database.sessions() as session:
            user = await UserRepository(session).get_by_email(email)
            assert user is not None
            return user.id
    finally:
        await database.dispose()


@pytest.fixture
async def fuzz_target(users_settings: Settings) -> tuple[list[APIOperation], SigningKey, str]:
    # Its own app: schemathesis serves it on an event loop of its own, and ends its lifespan
    # after each test (so one app per test).
    app = create_app(users_settings)
    operations = openapi_operations(app)
    return operations, app.state.signing_key, await _admin_id(users_settings)


@pytest.mark.parametrize("mode", MODES)
async def test_no_request_makes_a_server_error(
    fuzz_target: tuple[list[APIOperation], SigningKey, str],
    users_settings: Settings,
    mode: GenerationMode,
) -> None:
    operations, key, admin_id = fuzz_target

    def as_admin() -> dict[str, str]:
        token = key.sign_access_token(
            user_id=admin_id,
            role="admin",
            session_id=str(uuid.uuid4()),
            issuer=users_settings.jwt_issuer,
            audience=users_settings.jwt_audience,
            ttl_seconds=300,
        )
        return {"Authorization": f"Bearer {token}"}

    # In negative mode the operations without input (GET /me, the JWKS) are passed over.
    await fuzz(operations, mode, headers=as_admin, checks=[not_a_server_error], max_examples=20)
