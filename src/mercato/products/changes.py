"""What a unit of work changed in the catalog, and the unit of work that tells the cache."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.db import Database
from mercato.products.cache import CatalogCache

_KEY = "catalog_changes"


@dataclass
class CatalogChanges:
    products: set[str] = field(default_factory=set)
    catalog: bool = False

    def __bool__(self) -> bool:
        return self.catalog or bool(self.products)


def changes(session: AsyncSession) -> CatalogChanges:
    found = session.info.get(_KEY)
    if found is None:
        found = session.info[_KEY] = CatalogChanges()
    assert isinstance(found, CatalogChanges)
    return found


def product_changed(session: AsyncSession, *product_ids: str) -> None:
    """A product's page and every list it may appear in are out of date."""
    recorded = changes(session)
    recorded.products.update(product_ids)
    recorded.catalog = True


def catalog_changed(session: AsyncSession) -> None:
    """Lists and categories are out of date (a new category, say); product pages are not."""
    changes(session).catalog = True


@asynccontextmanager
async def catalog_write(database: Database, cache: CatalogCache) -> AsyncIterator[AsyncSession]:
    """A unit of work that changes the catalog: once it has committed, the cache forgets what
    it changed, and returns only when no instance can serve the old answers any more.

    It also forgets just before the commit: should the process die between the commit and
    the second renewal, only a read in the instant between the first and the commit can have
    filed the old data, and that entry expires with the cache TTL."""
    async with aclosing(database.session()) as sessions:
        async for session in sessions:
            yield session
            changed = changes(session)
            if changed:
                await cache.invalidate(changed.products, catalog=changed.catalog, settle=False)
    if changed:
        await cache.invalidate(changed.products, catalog=changed.catalog)
