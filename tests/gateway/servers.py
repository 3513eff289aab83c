"""Real servers for the gateway tests: uvicorn in a background thread on an ephemeral port,
a small upstream app, and a raw upstream that drops idle keep-alive connections."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Upstream:
    """What the test upstream saw, and a switch the streaming route waits on."""

    release_stream: threading.Event = field(default_factory=threading.Event)
    healthy: bool = True


async def _echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "raw_path": request.scope["raw_path"].decode("latin-1"),
            "query": request.scope["query_string"].decode("latin-1"),
            "headers": {k: ",".join(request.headers.getlist(k)) for k in request.headers},
            "body": body.decode("utf-8", "replace"),
            "body_length": len(body),
        },
        headers={
            "Set-Cookie": "session=from-upstream; Path=/",
            "Connection": "keep-alive, X-Upstream-Secret",
            "X-Upstream-Secret": "hop-only",
            "X-Frame-Options": "SAMEORIGIN",
        },
    )


def upstream_app(state: Upstream) -> Starlette:
    async def hang(_: Request) -> Response:
        await asyncio.sleep(30)
        return Response("too late")

    async def stream(_: Request) -> Response:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"a" * 65536
            # The rest only once the test has seen the first chunk: proof of no buffering.
            await asyncio.to_thread(state.release_stream.wait, 10)
            for _ in range(127):
                yield b"b" * 65536

        return StreamingResponse(chunks(), media_type="application/octet-stream")

    async def health(_: Request) -> Response:
        return JSONResponse(
            {"status": "ok" if state.healthy else "degraded"},
            status_code=200 if state.healthy else 503,
        )

    async def status(request: Request) -> Response:
        return JSONResponse(
            {"status": int(request.path_params["code"])},
            status_code=int(request.path_params["code"]),
        )

    return Starlette(
        routes=[
            Route("/health", health),
            Route("/api/products/hang", hang),
            Route("/api/products/stream", stream),
            Route("/api/products/status/{code:int}", status),
            Route(
                "/{path:path}",
                _echo,
                methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            ),
        ]
    )


class IdleClosingUpstream:
    """Answers the first request on each connection, then treats the connection as idle-closed:
    the next request on it is read and the socket closed with no answer, the race a pooled
    client meets when an upstream's keep-alive timeout fires just as a request goes out."""

    def __init__(self) -> None:
        self.answered = 0
        self.connections = 0
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> IdleClosingUpstream:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *_: object) -> None:
        assert self._loop is not None
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            first = True
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length:
                    await reader.readexactly(length)
                if not first:
                    break  # idle-closed: no answer
                first = False
                self.answered += 1
                body = json.dumps({"answered": self.answered}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n"
                    b"Connection: keep-alive\r\n\r\n" + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def raw_request(port: int, request: bytes) -> int:
    """Send bytes as they are (no client normalizes them) and return the answer's status
    (0 when the server closed without one)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), 10)
    finally:
        writer.close()
    parts = line.split()
    return int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else 0


class RawUpstream(IdleClosingUpstream):
    """Answers each request with the bytes of `ANSWERS[path]` as written there, to pin how
    the gateway reads answers framed every way HTTP/1.1 allows (and closes after those that
    end with the connection)."""

    ANSWERS: dict[bytes, tuple[bytes, bool]] = {
        b"/api/users/until-close": (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nread until the end",
            True,
        ),
        b"/api/users/chunked": (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            False,
        ),
        b"/api/users/not-modified": (
            b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 99\r\n\r\n',
            False,
        ),
        b"/api/users/sized": (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsized", False),
        b"/api/users/closing": (
            b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbye!",
            True,
        ),
    }

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, target = head.split(b" ", 2)[:2]
                answer, close = self.ANSWERS[target]
                if method == b"HEAD":
                    answer = answer.partition(b"\r\n\r\n")[0] + b"\r\n\r\n"
                self.answered += 1
                writer.write(answer)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
