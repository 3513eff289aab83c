"""What a unit of work changed in the catalog, so the cache can be told once it commits."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

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
