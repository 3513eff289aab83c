"""HTTP routes of the products service: parse, call one use case, answer a schema.

Public reads answer pre-serialized JSON bytes: the cache (cached_reads.py) keeps exactly these.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from mercato.kit.auth import AdminPrincipal, current_principal, require_service_token
from mercato.kit.deps import AppSettings, ReadSession
from mercato.kit.errors import Forbidden, NotFound
from mercato.kit.responses import model_response
from mercato.products import catalog, inventory
from mercato.products.cached_reads import PRIVATE
from mercato.products.demo_catalog import IMAGES
from mercato.products.deps import CatalogSession
from mercato.products.errors import ProductNotFound
from mercato.products.images import render_product_image
from mercato.products.repository import ProductQuery
from mercato.products.schemas import (
    MAX_PRICE,
    CategoryCreate,
    CategoryList,
    CategoryOut,
    CategoryUpdate,
    ProductCreate,
    ProductOut,
    ProductPage,
    ProductUpdate,
    ReservationOut,
    ReservationRequest,
    Sort,
)

products = APIRouter(prefix="/api/products", tags=["products"])
categories = APIRouter(prefix="/api/categories", tags=["categories"])
internal = APIRouter(
    prefix="/internal/reservations",
    tags=["internal"],
    dependencies=[Depends(require_service_token)],
)

ProductId = Annotated[uuid.UUID, Path()]
OrderId = Annotated[uuid.UUID, Path()]
CategoryId = Annotated[uuid.UUID, Path()]
PriceBound = Annotated[Decimal, Query(ge=0, le=MAX_PRICE, decimal_places=2)]
IMAGE_HEADERS = {
    "cache-control": "public, max-age=86400",
    # An SVG opened on its own is a document: ours have no scripts, and may run none.
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
}


@products.get("", response_model=ProductPage)
async def list_products(
    request: Request,
    session: ReadSession,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    q: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    min_price: PriceBound | None = None,
    max_price: PriceBound | None = None,
    in_stock: bool = False,
    sort: Sort | None = None,
    include_inactive: Annotated[bool, Query(description="Admins only: withdrawn too.")] = False,
) -> Response:
    # The token is read only for withdrawn products: public lists are served from the cache
    # without it. API.md: 401 when it is missing or bad, 403 when the caller is not an admin.
    if include_inactive and not (await current_principal(request)).is_admin:
        raise Forbidden("Only admins may list withdrawn products.")
    params = ProductQuery(
        page=page,
        limit=limit,
        q=q.strip() if q else None,
        # Slugs and ids are stored in lower case.
        category=category.strip().lower() if category else None,
        min_price=min_price,
        max_price=max_price,
        in_stock=in_stock,
        sort=sort,
        include_inactive=include_inactive,
    )
    return model_response(ProductPage, await catalog.product_page(session, params))


@products.get("/images/{image}.svg", include_in_schema=False)
async def product_image(image: Annotated[str, Path(max_length=100)]) -> Response:
    """The demo catalog's pictures, drawn here so the shop works offline."""
    found = IMAGES.get(image)
    if found is None:
        raise NotFound("No such image.")
    name, category_slug = found
    return Response(
        render_product_image(name, category_slug),
        media_type="image/svg+xml",
        headers=IMAGE_HEADERS,
    )


@products.get("/{product_id}", response_model=ProductOut)
async def get_product(request: Request, product_id: ProductId, session: ReadSession) -> Response:
    """Public; a withdrawn product is shown to admins only. The token is read only then, as
    a cached answer is served without reading it: a bad token cannot change a public answer."""
    try:
        found = await catalog.product(session, str(product_id), admin=False)
    except ProductNotFound:
        if "authorization" not in request.headers:
            raise
        principal = await current_principal(request)
        found = await catalog.product(session, str(product_id), admin=principal.is_admin)
        setattr(request.state, PRIVATE, True)
    return model_response(ProductOut, found)


@products.post("", status_code=status.HTTP_201_CREATED, response_model=ProductOut)
async def create_product(
    body: ProductCreate, session: CatalogSession, _: AdminPrincipal
) -> Response:
    return model_response(ProductOut, await catalog.create_product(session, body), 201)


@products.put("/{product_id}", response_model=ProductOut)
async def update_product(
    product_id: ProductId, body: ProductUpdate, session: CatalogSession, _: AdminPrincipal
) -> Response:
    return model_response(ProductOut, await catalog.update_product(session, str(product_id), body))


@products.delete("/{product_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_product(product_id: ProductId, session: CatalogSession, _: AdminPrincipal) -> None:
    await catalog.delete_product(session, str(product_id))


@categories.get("", response_model=CategoryList)
async def list_categories(
    request: Request,
    session: ReadSession,
    include_inactive: Annotated[bool, Query(description="Admins only: withdrawn too.")] = False,
) -> Response:
    # As for products: the token is read only when withdrawn categories are asked for.
    if include_inactive and not (await current_principal(request)).is_admin:
        raise Forbidden("Only admins may list withdrawn categories.")
    found = await catalog.categories(session, include_inactive=include_inactive)
    return model_response(CategoryList, found)


@categories.post("", status_code=status.HTTP_201_CREATED, response_model=CategoryOut)
async def create_category(
    body: CategoryCreate, session: CatalogSession, _: AdminPrincipal
) -> Response:
    return model_response(CategoryOut, await catalog.create_category(session, body), 201)


@categories.put("/{category_id}", response_model=CategoryOut)
async def update_category(
    category_id: CategoryId, body: CategoryUpdate, session: CatalogSession, _: AdminPrincipal
) -> Response:
    found = await catalog.update_category(session, str(category_id), body)
    return model_response(CategoryOut, found)


@internal.post("", response_model=ReservationOut)
async def reserve_stock(
    body: ReservationRequest, session: CatalogSession, settings: AppSettings
) -> Response:
    """201 when this call reserved the stock; 200 with the reservation as it stands when the
    order already had one (a retry)."""
    reservation, created = await inventory.reserve(session, body, settings.reservation_ttl_seconds)
    return model_response(ReservationOut, reservation, 201 if created else 200)


@internal.get("/{order_id}", response_model=ReservationOut)
async def get_reservation(order_id: OrderId, session: ReadSession) -> Response:
    return model_response(ReservationOut, await inventory.view(session, str(order_id)))


@internal.post("/{order_id}/confirm", response_model=ReservationOut)
async def confirm_reservation(order_id: OrderId, session: CatalogSession) -> Response:
    return model_response(ReservationOut, await inventory.confirm(session, str(order_id)))


@internal.post("/{order_id}/release", response_model=ReservationOut)
async def release_reservation(order_id: OrderId, session: CatalogSession) -> Response:
    return model_response(ReservationOut, await inventory.release(session, str(order_id)))
