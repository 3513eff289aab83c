"""`create_service_app`: the FastAPI app every Mercato service starts from."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from starlette.routing import Route

from mercato import __version__
from mercato.kit.auth import KeySource, TokenVerifier
from mercato.kit.db import Database
from mercato.kit.errors import install_error_handlers
from mercato.kit.kv import KeyValueStore, open_store
from mercato.kit.logging import configure_logging
from mercato.kit.middleware import ServiceMiddleware
from mercato.kit.observability import health_endpoint, metrics_endpoint
from mercato.kit.ratelimit import RateLimiter
from mercato.kit.runtime import freeze_startup_heap
from mercato.kit.settings import Settings

Hook = Callable[[FastAPI], Awaitable[None]]


def create_service_app(
    service: str,
    settings: Settings,
    routers: Sequence[APIRouter],
    *,
    key_source: KeySource | None = None,
    on_startup: Sequence[Hook] = (),
    on_shutdown: Sequence[Hook] = (),
    kv: KeyValueStore | None = None,
) -> FastAPI:
    """A service app with its database, key-value store, token verifier, error handlers,
    `/health`, `/metrics` and the shared middleware. State lives on `app.state`."""
    configure_logging(service, settings.log_level, settings.log_format)
    database = Database(
        settings.database_url(service), pool_size=settings.db_pool_size, service=service
    )
    store = kv or open_store(settings.redis_url, settings.data_dir, settings.kv_prefix)
    keys = key_source or KeySource(jwks_url=f"{settings.users_url}/.well-known/jwks.json")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for hook in on_startup:
            await hook(app)
        freeze_startup_heap()
        try:
            yield
        finally:
            for hook in on_shutdown:
                await hook(app)
            await database.dispose()
            await store.close()

    app = FastAPI(
        title=f"Mercato {service}",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        # Metrics are Prometheus's and logs structlog's (middleware.py); FastAPI's native
        # OpenTelemetry, when on, looks up the global providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.service = service
    app.state.settings = settings
    app.state.db = database
    app.state.kv = store
    app.state.verifier = TokenVerifier(
        keys, store, issuer=settings.jwt_issuer, audience=settings.jwt_audience
    )
    install_error_handlers(app)
    for router in routers:
        app.include_router(router)
    health = health_endpoint(service, {"database": database.ping, "cache": store.ping})
    app.router.routes.append(Route("/health", health, methods=["GET"], include_in_schema=False))
    app.router.routes.append(
        Route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    )
    app.add_middleware(
        ServiceMiddleware,
        service=service,
        max_body_bytes=settings.max_body_bytes,
        # Leased: the per-service limit is a generous second line behind the gateway's, so
        # it may under-admit a little but spares a key-value round trip on most requests.
        limiter=RateLimiter(
            store, settings.service_rate_limit, namespace=f"svc:{service}", lease=True
        ),
        trusted_proxies=tuple(settings.service_trusted_proxies),
        service_token=settings.service_token,
    )
    return app
