"""The hand-written migration builds exactly the tables the models describe."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column

from harness import migrated_schema
from mercato.kit.settings import Settings
from mercato.products.models import metadata

# The full-text machinery is raw SQL in the migration, outside the models on purpose (the
# repository reaches it by name): PostgreSQL's generated `products.search` tsvector and its
# GIN index, SQLite's FTS5 table and the shadow tables FTS5 keeps beside it.
FTS5_TABLE = "products_fts"
GIN_INDEX = "ix_products_search"


def _compared_by_alembic(
    item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    if type_ == "table":
        return not (name == FTS5_TABLE or (name or "").startswith(f"{FTS5_TABLE}_"))
    if type_ == "column":
        return not (name == "search" and isinstance(item, Column) and item.table.name == "products")
    if type_ == "index":
        return name != GIN_INDEX
    return True


async def test_the_migrated_schema_matches_the_models(products_settings: Settings) -> None:
    async with migrated_schema(products_settings, "products", metadata) as schema:
        # SQLite's reflection sees neither an expression (lower(name)) nor DESC in an index,
        # so Alembic would report every listing index as changed: there they are compared by
        # their SQL instead.
        differences = await schema.differences(_compared_by_alembic, indexes=not schema.is_sqlite)
        assert differences == []
        if schema.is_sqlite:
            assert await schema.built_indexes() == schema.declared_indexes()
