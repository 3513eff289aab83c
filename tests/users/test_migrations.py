"""The hand-written migrations build exactly the tables the models describe."""

from __future__ import annotations

from harness import migrated_schema
from mercato.kit.settings import Settings
from mercato.users.models import metadata


async def test_the_migrated_schema_matches_the_models(users_settings: Settings) -> None:
    async with migrated_schema(users_settings, "users", metadata) as schema:
        assert await schema.differences() == []
