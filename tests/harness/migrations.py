"""A service's database as its Alembic migrations built it, set against the tables, columns
and indexes its models declare: what Alembic finds between them, and each side's indexes as
SQL where Alembic cannot see enough."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateIndex

from mercato.kit.db import Database
from mercato.kit.settings import Settings

IncludeObject = Callable[[Any, str | None, str, bool, Any], bool]
"""Alembic's `include_object` hook: whether an object takes part in the comparison."""


@dataclass
class MigratedSchema:
    connection: AsyncConnection
    metadata: MetaData

    @property
    def is_sqlite(self) -> bool:
        return self.connection.dialect.name == "sqlite"

    async def differences(
        self, include_object: IncludeObject | None = None, *, indexes: bool = True
    ) -> list[object]:
        """What Alembic finds between the database and the models: none when they agree.

        `indexes=False` leaves indexes out, for SQLite, whose reflection sees neither an
        expression, nor DESC, nor a partial index's WHERE: compare `built_indexes()` with
        `declared_indexes()` there instead.
        """

        def compare(connection: Connection) -> list[object]:
            def included(item: Any, name: str | None, type_: str, *rest: Any) -> bool:
                if type_ == "index" and not indexes:
                    return False
                return include_object is None or include_object(item, name, type_, *rest)

            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": included}
            )
            with warnings.catch_warnings():
                if not indexes:
                    # That same limit of SQLite's reflection, said by SQLAlchemy and by Alembic.
                    warnings.filterwarnings(
                        "ignore", message="Skipped unsupported reflection of expression"
                    )
                    warnings.filterwarnings("ignore", message=".*can't reflect these indexes")
                return list(compare_metadata(context, self.metadata))

        return await self.connection.run_sync(compare)

    async def built_indexes(self) -> dict[str, str]:
        """The indexes the migrations built (primary keys aside), name -> SQL, white space
        folded."""

        def read(connection: Connection) -> dict[str, str]:
            if self.is_sqlite:
                rows = connection.execute(
                    text(
                        "SELECT name, sql FROM sqlite_master"
                        " WHERE type = 'index' AND sql IS NOT NULL"
                    )
                )
                return {name: " ".join(sql.split()) for name, sql in rows}
            rows = connection.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes"
                    " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
            return {
                name: " ".join(definition.split())
                for name, definition in rows
                if not name.endswith("_pkey")
            }

        return await self.connection.run_sync(read)

    def declared_indexes(self) -> dict[str, str]:
        """The indexes the models declare, name -> the SQL that creates them here."""
        dialect = self.connection.dialect
        return {
            str(index.name): " ".join(str(CreateIndex(index).compile(dialect=dialect)).split())
            for table in self.metadata.sorted_tables
            for index in table.indexes
        }


@asynccontextmanager
async def migrated_schema(
    settings: Settings, service: str, metadata: MetaData
) -> AsyncIterator[MigratedSchema]:
    """A connection to `service`'s database of the test run (migrated by the `backend`
    fixture), to compare with `metadata`, its models."""
    database = Database(settings.database_url(service))
    try:
        async with database.engine.connect() as connection:
            yield MigratedSchema(connection, metadata)
    finally:
        await database.dispose()
