"""`create_app()`: the products service (:3002)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware

from mercato.kit.app import create_service_app
from mercato.kit.auth import KeySource
from mercato.kit.settings import Settings, get_settings
from mercato.products.api import categories, internal, products
from mercato.products.cache import CatalogCache
from mercato.products.cached_reads import CachedReadsMiddleware
from mercato.products.expiry import ReservationExpiry


def create_app(settings: Settings | None = None, *, key_source: KeySource | None = None) -> FastAPI:
    settings = settings or get_settings()

    async def start_expiry(app: FastAPI) -> None:
        app.state.reservation_expiry.start()

    async def stop_expiry(app: FastAPI) -> None:
        await app.state.reservation_expiry.stop()

    app = create_service_app(
        "products",
        settings,
        [products, categories, internal],
        key_source=key_source,
        on_startup=[start_expiry],
        on_shutdown=[stop_expiry],
    )
    cache = CatalogCache(
        app.state.kv,
        enabled=settings.catalog_cache,
        ttl_seconds=settings.catalog_cache_ttl_seconds,
        lease_seconds=settings.catalog_cache_lease_seconds,
    )
    app.state.catalog_cache = cache
    app.state.reservation_expiry = ReservationExpiry(
        app.state.db, cache, settings.reservation_sweep_seconds
    )
    # Innermost, inside the shared middleware: a cached answer still gets its request id,
    # security headers, rate limit and metrics.
    app.user_middleware.append(Middleware(CachedReadsMiddleware, cache=cache))
    return app
