"""The hand-written migration builds exactly the tables the models describe."""

from __future__ import annotations

from harness import migrated_schema
from mercato.kit.settings import Settings
from mercato.orders.models import metadata


async def test_the_migrated_schema_matches_the_models(orders_settings: Settings) -> None:
    async with migrated_schema(orders_settings, "orders", metadata) as schema:
        # SQLite's reflection sees neither DESC nor a partial index's WHERE, so Alembic would
        # report those indexes as changed: there they are compared by their SQL instead.
        assert await schema.differences(indexes=not schema.is_sqlite) == []
        if schema.is_sqlite:
            assert await schema.built_indexes() == schema.declared_indexes()
