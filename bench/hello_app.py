"""The ceiling: the cheapest answer one Python process can give, a Starlette hello-world.

Served by the same uvicorn (uvloop + httptools) as the services, so the gap between this and a
service is what the service itself costs.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = b'{"hello":"world"}'


async def hello(request: Request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/{path:path}", hello, methods=["GET"])])
