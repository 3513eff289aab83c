"""FastAPI dependencies of the products service, beside the kit's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.db import Database
from mercato.products.cache import CatalogCache
from mercato.products.changes import changes


async def get_catalog_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work for a catalog write: once it has committed, the cache
    forgets what it changed (before the answer is sent, so the writer's next read is fresh).

    It also forgets just before the commit: should the process die between the commit and
    the second renewal, only a read in the instant between the first and the commit can have
    filed the old data, and that entry expires with the cache TTL."""
    database: Database = request.app.state.db
    cache: CatalogCache = request.app.state.catalog_cache
    async with aclosing(database.session()) as sessions:
        async for session in sessions:
            yield session
            changed = changes(session)
            if changed:
                await cache.invalidate(changed.products, catalog=changed.catalog, settle=False)
    if changed:
        await cache.invalidate(changed.products, catalog=changed.catalog)


CatalogSession = Annotated[AsyncSession, Depends(get_catalog_session, scope="function")]
