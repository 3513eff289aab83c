"""What the storefront server answers: its health, the runtime configuration, the build's
files, and `index.html` for every other page, which the single-page app routes itself
(its own not-found page included)."""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from mercato.web.build import INDEX, Build

ASSETS = "assets"
# Vite names every file under assets/ after a hash of its content: it never changes.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
NO_STORE = "no-store"

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Mercato: storefront not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>The storefront is not built</h1>
<p>This server found no production build of the web storefront. Run <code>make web</code>
in the Mercato repository, then reload this page.</p>
</body>
</html>
"""


class Storefront:
    def __init__(self, build: Build, config_script: bytes) -> None:
        self.build = build
        self.config_script = config_script

    async def health(self, _: Request) -> Response:
        # Healthy without a build too: `mercato up` must not fail because `make web` was
        # not run; the pages say what to do.
        return JSONResponse(
            {"status": "ok", "built": self.build.is_built()},
            headers={"cache-control": NO_STORE},
        )

    async def config(self, _: Request) -> Response:
        return Response(
            self.config_script,
            media_type="application/javascript",
            headers={"cache-control": NO_STORE},
        )

    async def page(self, request: Request) -> Response:
        scope = request.scope
        index = await self.build.find(INDEX)
        if index is None:
            return HTMLResponse(NOT_BUILT_PAGE, 503, headers={"cache-control": NO_STORE})
        relative = self.build.relative_path(scope)
        if scope["path"].startswith(f"/{ASSETS}/"):
            # A missing asset is a 404, not the app: a browser asked for a script or a style.
            asset = None
            if relative.startswith(f"{ASSETS}{os.sep}"):
                asset = await self.build.find(relative)
            if asset is None:
                return PlainTextResponse("Not Found", 404, headers={"cache-control": REVALIDATE})
            return self.build.response(asset, scope, IMMUTABLE)
        found = await self.build.find(relative)
        return self.build.response(found or index, scope, REVALIDATE)
