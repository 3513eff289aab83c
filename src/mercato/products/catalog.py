"""Catalog use cases: products and categories, as shoppers read them and admins change them."""

from __future__ import annotations

import math
import re
import unicodedata
import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import ValidationFailed
from mercato.kit.types import utcnow
from mercato.products.changes import catalog_changed, product_changed
from mercato.products.errors import (
    CategoryNotFound,
    DuplicateSku,
    DuplicateSlug,
    ProductNotFound,
    UnknownCategory,
)
from mercato.products.models import Category, Product
from mercato.products.repository import CatalogRepository, ProductQuery
from mercato.products.schemas import CategoryCreate, CategoryUpdate, ProductCreate, ProductUpdate


async def product(session: AsyncSession, product_id: str, *, admin: bool) -> dict[str, Any]:
    """A product a shopper can see; admins also see withdrawn (inactive) ones."""
    view = await CatalogRepository(session).product_view(product_id, include_inactive=admin)
    if view is None:
        raise ProductNotFound
    return view


async def product_page(session: AsyncSession, params: ProductQuery) -> dict[str, Any]:
    if (
        params.min_price is not None
        and params.max_price is not None
        and params.min_price > params.max_price
    ):
        raise ValidationFailed("min_price", "must not be more than max_price")
    items, total = await CatalogRepository(session).product_page(params)
    return {
        "items": items,
        "total": total,
        "page": params.page,
        "limit": params.limit,
        "pages": math.ceil(total / params.limit),
    }


async def create_product(session: AsyncSession, body: ProductCreate) -> dict[str, Any]:
    repository = CatalogRepository(session)
    if body.category_id is not None and await repository.get_category(body.category_id) is None:
        raise UnknownCategory
    if await repository.sku_taken(body.sku):
        raise DuplicateSku(body.sku)
    created = Product(**body.model_dump())
    try:
        async with session.begin_nested():
            await repository.add_product(created)
    except IntegrityError as error:  # a concurrent create with the same SKU won the race
        raise DuplicateSku(body.sku) from error
    product_changed(session, created.id)
    return await product(session, created.id, admin=True)


async def update_product(
    session: AsyncSession, product_id: str, body: ProductUpdate
) -> dict[str, Any]:
    repository = CatalogRepository(session)
    found = await repository.get_product(product_id)
    if found is None:
        raise ProductNotFound
    values = body.model_dump(exclude_unset=True)
    if values.get("category_id") is not None and not await repository.get_category(
        values["category_id"]
    ):
        raise UnknownCategory
    if "sku" in values and await repository.sku_taken(values["sku"], other_than=product_id):
        raise DuplicateSku(values["sku"])
    for name, value in values.items():
        setattr(found, name, value)
    found.updated_at = utcnow()
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:
        raise DuplicateSku(values.get("sku", found.sku)) from error
    product_changed(session, product_id)
    return await product(session, product_id, admin=True)


async def delete_product(session: AsyncSession, product_id: str) -> None:
    """Hidden from every read from now on; the row stays, so past orders keep their lines
    and outstanding reservations can still be released."""
    if not await CatalogRepository(session).soft_delete(product_id, utcnow()):
        raise ProductNotFound
    product_changed(session, product_id)


async def categories(session: AsyncSession, *, include_inactive: bool = False) -> dict[str, Any]:
    """Active categories; admins may ask for the withdrawn ones too."""
    return {"items": await CatalogRepository(session).categories(include_inactive=include_inactive)}


async def create_category(session: AsyncSession, body: CategoryCreate) -> dict[str, Any]:
    repository = CatalogRepository(session)
    slug = body.slug or slugify(body.name)
    if await repository.slug_taken(slug):
        raise DuplicateSlug(slug)
    category = Category(name=body.name, slug=slug, description=body.description)
    try:
        async with session.begin_nested():
            await repository.add_category(category)
    except IntegrityError as error:
        raise DuplicateSlug(slug) from error
    catalog_changed(session)
    return {
        "id": category.id,
        "name": category.name,
        "slug": category.slug,
        "description": category.description,
        "is_active": category.is_active,
        "product_count": 0,
    }


async def update_category(
    session: AsyncSession, category_id: str, body: CategoryUpdate
) -> dict[str, Any]:
    """Rename, re-describe, withdraw or bring back a category. A withdrawn category leaves the
    shoppers' category list; its products stay for sale and keep naming it."""
    repository = CatalogRepository(session)
    found = await repository.get_category(category_id)
    if found is None:
        raise CategoryNotFound
    values = body.model_dump(exclude_unset=True)
    slug = values.get("slug")
    if slug is not None and await repository.slug_taken(slug, other_than=category_id):
        raise DuplicateSlug(slug)
    for name, value in values.items():
        setattr(found, name, value)
    found.updated_at = utcnow()
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as error:  # a concurrent write took the slug
        raise DuplicateSlug(found.slug) from error
    # Product views carry the category's name and slug, so every product page is stale too.
    product_ids = await repository.product_ids_in_category(category_id)
    product_changed(session, *product_ids)
    catalog_changed(session)
    view = await repository.category_view(category_id)
    assert view is not None
    return view


def slugify(name: str) -> str:
    """ "Home & Kitchen" -> "home-kitchen". A name with no Latin letters or digits gets a
    random slug rather than none."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:100].strip("-")
    return slug or f"category-{uuid.uuid4().hex[:8]}"
