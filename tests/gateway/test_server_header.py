"""The gateway never passes an upstream's `Server` header on: it names no software behind it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.conftest import GatewayFactory
from harness import Running, serve

UPSTREAM_SERVER = "upstream-software/1.2.3"


async def _answer(_: Request) -> Response:
    return JSONResponse({"ok": True}, headers={"Server": UPSTREAM_SERVER})


@pytest.fixture(scope="module")
def talkative_upstream() -> Iterator[Running]:
    """An upstream that names its software in every answer."""
    app = Starlette(routes=[Route("/{path:path}", _answer, methods=["GET", "POST"])])
    with serve(app) as running:
        yield running


@pytest.mark.parametrize("path", ["/api/auth/me", "/api/products"])
async def test_upstream_server_header_is_not_passed_through(
    start_gateway: GatewayFactory, talkative_upstream: Running, path: str
) -> None:
    base = start_gateway(users_url=talkative_upstream.url, products_url=talkative_upstream.url)
    async with httpx.AsyncClient(base_url=base) as client:
        direct = await client.get(f"{talkative_upstream.url}{path}")
        proxied = await client.get(path)
    assert UPSTREAM_SERVER in direct.headers.get_list("server")
    assert proxied.status_code == 200
    assert proxied.json() == {"ok": True}
    assert UPSTREAM_SERVER not in proxied.headers.get_list("server")
    # At most the gateway's own server's header, which `mercato up` turns off
    # (uvicorn --no-server-header; tests/cli checks the command line).
    assert len(proxied.headers.get_list("server")) <= 1
