"""A storefront build of our own in a temporary directory, and clients of the storefront
server serving it (in process, or under uvicorn for requests no client would normalise)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness import Running, serve
from mercato.kit.settings import Settings
from mercato.web.app import create_app

INDEX_HTML = (
    "<!doctype html><html><head><title>Mercato</title>"
    '<script src="/config.js"></script>'
    '<script type="module" src="/assets/app-1234.js"></script></head>'
    '<body><div id="root"></div></body></html>\n'
)
APP_JS = "console.log('the storefront');\n" * 40  # large enough to be worth compressing
FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"></svg>\n'
SECRET = "SECRET-OUTSIDE-THE-BUILD"
GATEWAY_URL = "http://127.0.0.1:18080"


@dataclass
class Dist:
    """`dist/` as `npm run build` leaves it, inside a directory that holds files of its own
    (`pyproject.toml`, `secret.txt`) which must never be served."""

    path: Path

    @property
    def index(self) -> str:
        return (self.path / "index.html").read_text()


def make_dist(root: Path) -> Dist:
    dist = root / "web" / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX_HTML)
    (dist / "assets" / "app-1234.js").write_text(APP_JS)
    (dist / "favicon.svg").write_text(FAVICON_SVG)
    (root / "web" / "secret.txt").write_text(SECRET)
    (root / "pyproject.toml").write_text(f"# {SECRET}\n")
    # A link out of the build, as a careless copy step might leave one.
    (dist / "leak.txt").symlink_to(root / "pyproject.toml")
    return Dist(dist)


@pytest.fixture
def dist(tmp_path: Path) -> Dist:
    return make_dist(tmp_path)


def web_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"env": "test", "log_level": "WARNING", "gateway_url": GATEWAY_URL}
    values.update(overrides)
    return Settings(**values)


Storefront = Callable[..., Any]


@pytest.fixture
def storefront() -> Storefront:
    """`async with storefront(dist) as http:` a client of the storefront server serving
    `dist` (other keyword arguments are settings)."""

    @asynccontextmanager
    async def open_client(dist: Path, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(web_settings(web_dist=dist, **overrides))
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
            yield http

    return open_client


@pytest.fixture
def served(dist: Dist) -> Iterator[Running]:
    """The storefront server under uvicorn, serving `dist`."""
    with serve(create_app(web_settings(web_dist=dist.path))) as running:
        yield running
