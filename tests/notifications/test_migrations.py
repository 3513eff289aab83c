"""The hand-written migration builds exactly the tables the models describe."""

from __future__ import annotations

from harness import migrated_schema
from mercato.kit.settings import Settings
from mercato.notifications.models import metadata


async def test_the_migrated_schema_matches_the_models(notifications_settings: Settings) -> None:
    async with migrated_schema(notifications_settings, "notifications", metadata) as schema:
        assert await schema.differences() == []
