"""The storefront server's pages: the build's files, the single-page app's fallback, what
it answers before `make web`, and nothing outside the build, however the path is spelled."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from harness import Running
from mercato.web.build import default_dist_dir

from .conftest import APP_JS, FAVICON_SVG, SECRET, Dist, Storefront

IMMUTABLE = "public, max-age=31536000, immutable"


class TestTheSinglePageApp:
    @pytest.mark.parametrize(
        "path",
        [
            "/",
            "/products/abc",
            "/products?q=lamp&page=2",
            "/admin/orders",
            "/reset-password?token=abc",
            "/no/such/page",
            "/index.html",
        ],
    )
    async def test_every_page_is_the_app_revalidated_each_time(
        self, storefront: Storefront, dist: Dist, path: str
    ) -> None:
        async with storefront(dist.path) as http:
            answer = await http.get(path)

        assert answer.status_code == 200
        assert answer.text == dist.index
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert answer.headers["cache-control"] == "no-cache"

    async def test_head_answers_like_get_without_a_body(
        self, storefront: Storefront, dist: Dist
    ) -> None:
        async with storefront(dist.path) as http:
            answer = await http.head("/products/abc")

        assert answer.status_code == 200
        assert answer.headers["content-length"] == str(len(dist.index.encode()))
        assert answer.content == b""

    async def test_an_unchanged_page_is_not_sent_again(
        self, storefront: Storefront, dist: Dist
    ) -> None:
        async with storefront(dist.path) as http:
            first = await http.get("/cart")
            again = await http.get("/cart", headers={"If-None-Match": first.headers["etag"]})

        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["cache-control"] == "no-cache"

    @pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    @pytest.mark.parametrize("path", ["/", "/products/abc", "/assets/app-1234.js", "/health"])
    async def test_other_methods_are_not_allowed(
        self, storefront: Storefront, dist: Dist, method: str, path: str
    ) -> None:
        async with storefront(dist.path) as http:
            answer = await http.request(method, path)

        assert answer.status_code == 405
        assert set(answer.headers["allow"].split(", ")) == {"GET", "HEAD"}


class TestTheBuildsFiles:
    async def test_assets_are_cached_for_good(self, storefront: Storefront, dist: Dist) -> None:
        async with storefront(dist.path) as http:
            answer = await http.get("/assets/app-1234.js")

        assert answer.status_code == 200
        assert answer.text == APP_JS
        assert answer.headers["content-type"].startswith("text/javascript")
        assert answer.headers["cache-control"] == IMMUTABLE

    async def test_other_files_are_revalidated(self, storefront: Storefront, dist: Dist) -> None:
        async with storefront(dist.path) as http:
            answer = await http.get("/favicon.svg")

        assert answer.status_code == 200
        assert answer.text == FAVICON_SVG
        assert answer.headers["content-type"] == "image/svg+xml"
        assert answer.headers["cache-control"] == "no-cache"

    @pytest.mark.parametrize("path", ["/assets/app-9999.js", "/assets/", "/assets/nested/x.css"])
    async def test_a_missing_asset_is_a_404_not_the_app(
        self, storefront: Storefront, dist: Dist, path: str
    ) -> None:
        async with storefront(dist.path) as http:
            answer = await http.get(path)

        assert answer.status_code == 404
        assert answer.text != dist.index

    async def test_text_is_gzipped_for_clients_that_accept_it(
        self, storefront: Storefront, dist: Dist
    ) -> None:
        async with storefront(dist.path) as http:
            gzipped = await http.get("/assets/app-1234.js", headers={"Accept-Encoding": "gzip"})
            plain = await http.get("/assets/app-1234.js", headers={"Accept-Encoding": "identity"})

        assert gzipped.headers["content-encoding"] == "gzip"
        assert gzipped.text == APP_JS  # httpx unzipped it
        assert int(gzipped.headers["content-length"]) < len(APP_JS) / 4
        assert "content-encoding" not in plain.headers
        assert plain.text == APP_JS


class TestHealth:
    async def test_a_built_storefront(self, storefront: Storefront, dist: Dist) -> None:
        async with storefront(dist.path) as http:
            answer = await http.get("/health")

        assert answer.status_code == 200
        assert answer.json() == {"status": "ok", "built": True}

    async def test_the_repositorys_build_by_default(self, storefront: Storefront) -> None:
        repository_dist = Path(__file__).resolve().parents[2] / "web" / "dist"
        assert default_dist_dir() == repository_dist
        async with storefront(None) as http:
            answer = await http.get("/health")

        assert answer.json()["built"] == (repository_dist / "index.html").is_file()


class TestBeforeMakeWeb:
    @pytest.mark.parametrize("missing", ["the dist dir", "index.html"])
    async def test_pages_say_how_to_build_and_health_stays_green(
        self, storefront: Storefront, dist: Dist, missing: str
    ) -> None:
        if missing == "the dist dir":
            shutil.rmtree(dist.path)
        else:
            (dist.path / "index.html").unlink()
        async with storefront(dist.path) as http:
            health = await http.get("/health")
            pages = [await http.get(path) for path in ("/", "/products/abc", "/favicon.svg")]
            config = await http.get("/config.js")

        assert health.status_code == 200
        assert health.json() == {"status": "ok", "built": False}
        for page in pages:
            assert page.status_code == 503
            assert page.headers["content-type"] == "text/html; charset=utf-8"
            assert "storefront is not built" in page.text
            assert "make web" in page.text
            assert page.headers["cache-control"] == "no-store"
        assert config.status_code == 200

    async def test_a_build_made_while_it_runs_is_served_at_once(
        self, storefront: Storefront, dist: Dist, tmp_path: Path
    ) -> None:
        built = dist.path.rename(tmp_path / "built-later")
        async with storefront(dist.path) as http:
            before = await http.get("/products/abc")
            built.rename(dist.path)
            after = await http.get("/products/abc")
            health = await http.get("/health")

        assert before.status_code == 503
        assert after.status_code == 200
        assert after.text == dist.index
        assert health.json()["built"] is True


TRAVERSALS = [
    "/../pyproject.toml",
    "/../../pyproject.toml",
    "/../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2e%2e/%2e%2e/pyproject.toml",
    "/..%2fsecret.txt",
    "/..%5csecret.txt",
    "/assets/../../secret.txt",
    "/assets/%2e%2e/%2e%2e/secret.txt",
    "/assets/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
    "/assets/..%2f..%2fsecret.txt",
    "/assets/../index.html",
    "/leak.txt",
    "/%2fetc%2fpasswd",
    "//etc/passwd",
]


async def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """`GET target` exactly as written (no client normalises it): the status and body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {target} HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


class TestNothingOutsideTheBuild:
    @pytest.mark.parametrize("target", TRAVERSALS)
    async def test_a_path_out_of_the_build_answers_404_or_the_app(
        self, served: Running, dist: Dist, target: str
    ) -> None:
        status, body = await raw_get(served.port, target)

        assert SECRET.encode() not in body
        assert status in (200, 404), (status, body)
        if status == 200:
            assert body == dist.index.encode()

    async def test_a_path_with_a_nul_is_refused(self, served: Running) -> None:
        status, body = await raw_get(served.port, "/index.html%00.js")

        assert status == 400
        assert SECRET.encode() not in body
