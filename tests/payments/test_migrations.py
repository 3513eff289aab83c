"""The hand-written migration builds exactly the tables the models describe."""

from __future__ import annotations

from harness import migrated_schema
from mercato.kit.settings import Settings
from mercato.payments.models import metadata


async def test_the_migrated_schema_matches_the_models(payments_settings: Settings) -> None:
    async with migrated_schema(payments_settings, "payments", metadata) as schema:
        assert await schema.differences() == []
        built = await schema.built_indexes()
        declared = schema.declared_indexes()
        if schema.is_sqlite:
            # Alembic does not compare an index's WHERE clause: its SQL is compared here.
            assert built == declared
        else:
            assert set(built) == set(declared)
            assert "WHERE (failure_code IS NULL)" in built["ix_payments_order_paid"]
