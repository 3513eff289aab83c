"""All catalog SQL: products, categories and the listing/search queries. Flushes, never commits.

Public reads are SQLAlchemy Core statements returning plain dicts shaped like `ProductOut`
(one query for a page, one for its count, the category joined in: no N+1); writes use the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import reduce
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.products.models import Category, Product
from mercato.products.search import fts5_query, postgres_tsquery, search_terms

_P = Product.__table__.c
_C = Category.__table__.c
_PRODUCT_FIELDS = (
    "id",
    "name",
    "description",
    "price",
    "currency",
    "sku",
    "stock",
    "image_url",
    "is_active",
    "created_at",
    "updated_at",
)
_COLUMNS = (
    *(_P[f] for f in _PRODUCT_FIELDS),
    _C.id.label("category_id"),
    _C.name.label("category_name"),
    _C.slug.label("category_slug"),
)
_FROM = Product.__table__.outerjoin(Category.__table__, _P.category_id == _C.id)
_FTS_TABLE: ColumnElement[Any] = literal_column("products_fts")
_FTS_PRODUCT: ColumnElement[str] = literal_column("products_fts.product_id")
_PG_SEARCH: ColumnElement[Any] = literal_column("products.search")


# Spelled as the listing indexes' predicate (models.VISIBLE) spells it: neither engine proves
# that `is_active IS true` (PostgreSQL) or `is_active = 1` (SQLite) imply it, and then
# neither uses those partial indexes.
_ACTIVE: ColumnElement[Any] = literal_column("products.is_active")


def _visible() -> ColumnElement[bool]:
    return and_(_P.deleted_at.is_(None), _ACTIVE)


def _or_literal(tsquery: ColumnElement[Any], literal: str | None) -> ColumnElement[Any]:
    return tsquery if literal is None else tsquery.op("||")(cast(literal, TSQUERY))


def product_view(row: Any) -> dict[str, Any]:
    values = row._mapping
    view = {field: values[field] for field in _PRODUCT_FIELDS}
    view["category"] = (
        {
            "id": values["category_id"],
            "name": values["category_name"],
            "slug": values["category_slug"],
        }
        if values["category_id"] is not None
        else None
    )
    return view


@dataclass(frozen=True)
class ProductQuery:
    page: int = 1
    limit: int = 20
    q: str | None = None
    category: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    sort: str | None = None
    include_inactive: bool = False


class CatalogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    # -- reads ---------------------------------------------------------------------------

    async def product_view(
        self, product_id: str, *, include_inactive: bool
    ) -> dict[str, Any] | None:
        query = (
            select(*_COLUMNS).select_from(_FROM).where(_P.id == product_id, _P.deleted_at.is_(None))
        )
        if not include_inactive:
            query = query.where(_ACTIVE)
        row = (await self.session.execute(query)).first()
        return product_view(row) if row is not None else None

    async def product_page(self, params: ProductQuery) -> tuple[list[dict[str, Any]], int]:
        """One page of products and the number of all that match."""
        terms = search_terms(params.q) if params.q else []
        filters = self._filters(params)
        page = select(*_COLUMNS).select_from(_FROM)
        count = select(func.count()).select_from(Product.__table__)
        rank: ColumnElement[Any] | None = None
        if terms:
            page, count, rank = self._search(page, count, terms)
        page = page.where(*filters)
        count = count.where(*filters)
        page = page.order_by(*self._order(params.sort, rank))
        page = page.limit(params.limit).offset((params.page - 1) * params.limit)
        total = (await self.session.execute(count)).scalar_one()
        if total == 0 or (params.page - 1) * params.limit >= total:
            return [], total
        rows = (await self.session.execute(page)).all()
        return [product_view(row) for row in rows], total

    def _search(
        self, page: Select[Any], count: Select[Any], terms: list[str]
    ) -> tuple[Select[Any], Select[Any], ColumnElement[Any]]:
        if self._postgres:
            each_term = [
                _or_literal(
                    func.to_tsquery(literal_column("'english'"), func.mercato_unaccent(stemmed)),
                    literal,
                )
                for stemmed, literal in postgres_tsquery(terms)
            ]
            tsquery = reduce(lambda both, term: both.op("&&")(term), each_term)
            match = _PG_SEARCH.op("@@")(tsquery)
            # ts_rank grows with relevance: negated so that ascending order is best first.
            # (ts_rank_cd weighs how close the words stand, at nearly twice the cost per row.)
            rank = -func.ts_rank(_PG_SEARCH, tsquery)
            return page.where(match), count.where(match), rank
        matched = (
            select(
                _FTS_PRODUCT.label("product_id"),
                func.bm25(_FTS_TABLE, 0.0, 10.0, 5.0, 1.0).label("score"),
            )
            .select_from(text("products_fts"))
            .where(_FTS_TABLE.op("MATCH")(bindparam("fts", fts5_query(terms))))
            .subquery("matched")
        )
        page = page.join(matched, matched.c.product_id == _P.id)
        count = count.join(matched, matched.c.product_id == _P.id)
        return page, count, matched.c.score  # bm25: lower is better

    def _filters(self, params: ProductQuery) -> list[ColumnElement[bool]]:
        filters: list[ColumnElement[bool]] = [_P.deleted_at.is_(None)]
        if not params.include_inactive:
            filters.append(_ACTIVE)
        if params.category:
            chosen = select(_C.id).where(or_(_C.id == params.category, _C.slug == params.category))
            filters.append(_P.category_id.in_(chosen.scalar_subquery()))
        if params.min_price is not None:
            filters.append(_P.price >= params.min_price)
        if params.max_price is not None:
            filters.append(_P.price <= params.max_price)
        if params.in_stock:
            filters.append(_P.stock > 0)
        return filters

    @staticmethod
    def _order(sort: str | None, rank: ColumnElement[Any] | None) -> list[ColumnElement[Any]]:
        name = func.lower(_P.name)
        if sort in (None, "relevance") and rank is not None:
            return [rank.asc(), name.asc(), _P.id.asc()]
        match sort:
            case "price":
                return [_P.price.asc(), _P.id.asc()]
            case "-price":
                return [_P.price.desc(), _P.id.asc()]
            case "name":
                return [name.asc(), _P.id.asc()]
            case "-name":
                return [name.desc(), _P.id.asc()]
            case "stock":
                return [_P.stock.asc(), name.asc(), _P.id.asc()]
            case _:  # newest, and relevance without a query
                # Ties by id ascending, the order of ix_products_newest (created_at DESC, id).
                return [_P.created_at.desc(), _P.id.asc()]

    async def categories(self, *, include_inactive: bool = False) -> list[dict[str, Any]]:
        """Active categories by name (withdrawn ones too when asked), each with how many
        products a shopper can see in it."""
        query = self._categories_query()
        if not include_inactive:
            query = query.where(_C.is_active.is_(True))
        return [dict(row._mapping) for row in (await self.session.execute(query)).all()]

    async def category_view(self, category_id: str) -> dict[str, Any] | None:
        query = self._categories_query().where(_C.id == category_id)
        row = (await self.session.execute(query)).first()
        return dict(row._mapping) if row is not None else None

    @staticmethod
    def _categories_query() -> Select[Any]:
        counted = (
            select(_P.category_id, func.count().label("product_count"))
            .where(_visible())
            .group_by(_P.category_id)
            .subquery("counted")
        )
        return (
            select(
                _C.id,
                _C.name,
                _C.slug,
                _C.description,
                _C.is_active,
                func.coalesce(counted.c.product_count, 0).label("product_count"),
            )
            .select_from(Category.__table__.outerjoin(counted, counted.c.category_id == _C.id))
            .order_by(func.lower(_C.name), _C.id)
        )

    # -- writes --------------------------------------------------------------------------

    async def get_product(self, product_id: str) -> Product | None:
        query = select(Product).where(Product.id == product_id, Product.deleted_at.is_(None))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def sku_taken(self, sku: str, *, other_than: str | None = None) -> bool:
        query = select(Product.id).where(Product.sku == sku, Product.deleted_at.is_(None))
        if other_than is not None:
            query = query.where(Product.id != other_than)
        return (await self.session.execute(query)).first() is not None

    async def add_product(self, product: Product) -> Product:
        self.session.add(product)
        await self.session.flush()
        return product

    async def soft_delete(self, product_id: str, now: datetime) -> bool:
        result = await self.session.execute(
            update(Product)
            .where(Product.id == product_id, Product.deleted_at.is_(None))
            .values(deleted_at=now, updated_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def get_category(self, category_id: str) -> Category | None:
        return await self.session.get(Category, category_id)

    async def slug_taken(self, slug: str, *, other_than: str | None = None) -> bool:
        query = select(Category.id).where(Category.slug == slug)
        if other_than is not None:
            query = query.where(Category.id != other_than)
        return (await self.session.execute(query)).first() is not None

    async def product_ids_in_category(self, category_id: str) -> list[str]:
        query = select(_P.id).where(_P.category_id == category_id, _P.deleted_at.is_(None))
        return list((await self.session.execute(query)).scalars())

    async def add_category(self, category: Category) -> Category:
        self.session.add(category)
        await self.session.flush()
        return category
