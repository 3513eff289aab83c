"""FastAPI dependencies of the products service, beside the kit's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.products.changes import catalog_write


async def get_catalog_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work for a catalog write; the cache forgets what it changed
    before the answer is sent, so the writer's next read is fresh (changes.catalog_write)."""
    async with catalog_write(request.app.state.db, request.app.state.catalog_cache) as session:
        yield session


CatalogSession = Annotated[AsyncSession, Depends(get_catalog_session, scope="function")]
