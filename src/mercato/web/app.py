"""The storefront server: `uvicorn --factory mercato.web.app:create_app`, started by
`mercato up` on `MERCATO_WEB_URL`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Route

from mercato.kit.logging import configure_logging
from mercato.kit.middleware import ServiceMiddleware
from mercato.kit.settings import Settings, get_settings, url_origin
from mercato.web.build import Build, dist_dir
from mercato.web.pages import Storefront
from mercato.web.runtime_config import config_script, storefront_api_url
from mercato.web.security import ContentSecurityPolicy, content_security_policy


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    configure_logging("web", settings.log_level, settings.log_format)
    api_url = storefront_api_url(settings)
    storefront = Storefront(Build(dist_dir(settings)), config_script(api_url))
    return Starlette(
        routes=[
            Route("/health", storefront.health, methods=["GET"]),
            Route("/config.js", storefront.config, methods=["GET"]),
            Route("/{path:path}", storefront.page, methods=["GET", "HEAD"]),
        ],
        middleware=[
            Middleware(ContentSecurityPolicy, policy=content_security_policy(url_origin(api_url))),
            # Request ids, the other security headers, an access-log line, a 500 that still
            # carries the headers.
            Middleware(ServiceMiddleware, service="web", max_body_bytes=settings.max_body_bytes),
            # Level 6: nearly level 9's size at a fraction of its time. Images and fonts,
            # already compressed, are left alone by the middleware.
            Middleware(GZipMiddleware, compresslevel=6),
        ],
    )
