"""The hand-written migration builds exactly the tables the models describe."""

from __future__ import annotations

import warnings
from functools import partial
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateIndex

from mercato.kit.db import Database
from mercato.kit.settings import Settings
from mercato.products.models import metadata

# The full-text machinery is raw SQL in the migration, outside the models on purpose (the
# repository reaches it by name): PostgreSQL's generated `products.search` tsvector and its
# GIN index, SQLite's FTS5 table and the shadow tables FTS5 keeps beside it.
FTS5_TABLE = "products_fts"
GIN_INDEX = "ix_products_search"


def _compared_by_alembic(
    dialect: str, item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if type_ == "table":
        return not (name == FTS5_TABLE or (name or "").startswith(f"{FTS5_TABLE}_"))
    if type_ == "column":
        return not (name == "search" and isinstance(item, Column) and item.table.name == "products")
    if type_ == "index":
        # SQLite's reflection sees neither an expression (lower(name)) nor DESC in an index,
        # so Alembic would report every listing index as changed: there they are compared by
        # their SQL instead (below).
        return name != GIN_INDEX and dialect != "sqlite"
    return True


def _differences(connection: Connection) -> list[object]:
    include = partial(_compared_by_alembic, connection.dialect.name)
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include}
    )
    with warnings.catch_warnings():
        # The same limit of SQLite's reflection, said by SQLAlchemy and by Alembic.
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression")
        warnings.filterwarnings("ignore", message=".*can't reflect these indexes")
        return list(compare_metadata(context, metadata))


def _sqlite_indexes(connection: Connection) -> dict[str, str]:
    rows = connection.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    )
    return {name: " ".join(sql.split()) for name, sql in rows}


def _declared_indexes(connection: Connection) -> dict[str, str]:
    return {
        str(index.name): " ".join(str(CreateIndex(index).compile(connection)).split())
        for table in metadata.sorted_tables
        for index in table.indexes
    }


async def test_the_migrated_schema_matches_the_models(products_settings: Settings) -> None:
    database = Database(products_settings.database_url("products"))
    try:
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
            if database.is_sqlite:
                built = await connection.run_sync(_sqlite_indexes)
                declared = await connection.run_sync(_declared_indexes)
                assert built == declared
    finally:
        await database.dispose()
