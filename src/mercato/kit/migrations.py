"""Alembic per service: each service keeps its versions in `mercato/<service>/migrations/`."""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from mercato.kit.db import create_engine


def migrations_dir(service: str) -> Path:
    return Path(str(resources.files(f"mercato.{service}") / "migrations"))


def alembic_config(service: str, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir(service)))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["mercato_url"] = url
    return config


def upgrade(service: str, url: str, revision: str = "head") -> None:
    """Bring the service's database to `revision` (blocking; run it off the event loop)."""
    command.upgrade(alembic_config(service, url), revision)


async def upgrade_async(service: str, url: str, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, service, url, revision)


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's `env.py`: online migrations over the async driver."""
    from alembic import context

    url = str(
        context.config.attributes.get("mercato_url")
        or context.config.get_main_option("sqlalchemy.url")
    )

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = (
            create_engine(url)
            if url.startswith("sqlite")
            else create_async_engine(url, poolclass=pool.NullPool)
        )
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(run_async())
