"""Schemathesis fuzzes every users endpoint in process: bad input is 4xx, never 5xx.

Calls carry a fresh admin token each, so the fuzzer reaches past authentication (and a
fuzzed logout revokes only its own token).
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import BaseSchema

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
def fuzz_target(users_settings: Settings) -> tuple[BaseSchema, SigningKey, str]:
    # Its own app: schemathesis serves it on an event loop of its own, and ends its lifespan
    # after each test (so one app per test).
    app = create_app(users_settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return schema, app.state.signing_key, asyncio.run(_admin_id(users_settings))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_makes_a_server_error(
    fuzz_target: tuple[BaseSchema, SigningKey, str],
    users_settings: Settings,
    mode: GenerationMode,
) -> None:
    schema, key, admin_id = fuzz_target

    def admin_token() -> str:
        return key.sign_access_token(
            user_id=admin_id,
            role="admin",
            session_id=str(uuid.uuid4()),
            issuer=users_settings.jwt_issuer,
            audience=users_settings.jwt_audience,
            ttl_seconds=300,
        )

    # Driven by hand rather than `schemathesis.pytest.from_fixture`, whose lazy loader reads a
    # pytest-private attribute that pytest 9 removed.
    for result in schema.get_all_operations():
        operation = result.ok()
        inputs = [operation.body, operation.query, operation.path_parameters]
        if mode is GenerationMode.NEGATIVE and not any(len(part) for part in inputs):
            continue  # nothing the fuzzer could make invalid (GET /me, the JWKS)

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {admin_token()}"},
                checks=[not_a_server_error],
            )

        fuzz()
