"""The hand-written migration builds exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateIndex

from mercato.kit.db import Database
from mercato.kit.settings import Settings
from mercato.payments.models import metadata


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _sqlite_indexes(connection: Connection) -> dict[str, str]:
    rows = connection.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    )
    return {name: " ".join(sql.split()) for name, sql in rows}


def _postgres_indexes(connection: Connection) -> dict[str, str]:
    rows = connection.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
    )
    return {name: definition for name, definition in rows if not name.endswith("_pkey")}


def _declared_indexes(connection: Connection) -> dict[str, str]:
    return {
        str(index.name): " ".join(str(CreateIndex(index).compile(connection)).split())
        for table in metadata.sorted_tables
        for index in table.indexes
    }


async def test_the_migrated_schema_matches_the_models(payments_settings: Settings) -> None:
    database = Database(payments_settings.database_url("payments"))
    try:
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
            declared = await connection.run_sync(_declared_indexes)
            if database.is_sqlite:
                # Alembic does not compare an index's WHERE clause: its SQL is compared here.
                assert await connection.run_sync(_sqlite_indexes) == declared
            else:
                built = await connection.run_sync(_postgres_indexes)
                assert set(built) == set(declared)
                assert "WHERE (failure_code IS NULL)" in built["ix_payments_order_paid"]
    finally:
        await database.dispose()
