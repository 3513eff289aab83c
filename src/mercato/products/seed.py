"""`mercato seed`: loads the demo catalog. Idempotent: a category is known by its slug and a
product by its SKU (deleted ones included), and what exists is left as the admin made it."""

from __future__ import annotations

from contextlib import aclosing
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from mercato.kit.db import Database
from mercato.kit.kv import open_store
from mercato.kit.settings import Settings
from mercato.kit.types import utcnow
from mercato.products.cache import CatalogCache
from mercato.products.changes import catalog_changed, catalog_write
from mercato.products.demo_catalog import CATEGORIES, PRODUCTS, image_path
from mercato.products.models import Category, Product


@dataclass(frozen=True)
class SeedOutcome:
    categories: int
    products: int


async def catalog_is_empty(database: Database) -> bool:
    async with aclosing(database.read_session()) as sessions:
        async for session in sessions:
            products = (await session.execute(select(func.count()).select_from(Product))).scalar()
            categories = (
                await session.execute(select(func.count()).select_from(Category))
            ).scalar()
    return not products and not categories


async def seed_demo_catalog(database: Database, cache: CatalogCache) -> SeedOutcome:
    """Adds what is missing of the demo catalog; answers how many rows it added."""
    now = utcnow()
    async with catalog_write(database, cache) as session:
        known_slugs = dict((await session.execute(select(Category.slug, Category.id))).all())
        known_skus = set((await session.execute(select(Product.sku))).scalars())
        new_categories = [
            Category(name=c.name, slug=c.slug, description=c.description)
            for c in CATEGORIES
            if c.slug not in known_slugs
        ]
        session.add_all(new_categories)
        await session.flush()
        category_ids = {**known_slugs, **{c.slug: c.id for c in new_categories}}
        new_products = [
            Product(
                sku=p.sku,
                name=p.name,
                description=p.description,
                price=p.price,
                stock=p.stock,
                category_id=category_ids.get(p.category_slug),
                image_url=image_path(p.image),
                # A minute apart, in catalog order: "newest" has a stable meaning.
                created_at=now - timedelta(minutes=index),
                updated_at=now - timedelta(minutes=index),
            )
            for index, p in enumerate(PRODUCTS)
            if p.sku not in known_skus
        ]
        session.add_all(new_products)
        if new_categories or new_products:
            catalog_changed(session)
    return SeedOutcome(len(new_categories), len(new_products))


async def seed(settings: Settings, *, only_if_empty: bool = False) -> SeedOutcome | None:
    """Seeds the products database `settings` name; None when `only_if_empty` and the catalog
    already has something (an admin's own catalog is never mixed with the demo)."""
    database = Database(settings.database_url("products"), pool_size=1)
    store = open_store(settings.redis_url, settings.data_dir, settings.kv_prefix)
    try:
        if only_if_empty and not await catalog_is_empty(database):
            return None
        return await seed_demo_catalog(database, CatalogCache(store))
    finally:
        await store.close()
        await database.dispose()
