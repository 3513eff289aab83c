"""The hop itself: one keep-alive pool per upstream (upstream_client.py), bodies streamed
both ways.

Failures map to what API.md promises: an upstream that cannot be reached answers 503 within
the connect timeout, one that does not answer within the upstream timeout 504. A pooled
connection the upstream closed while idle is retried once for idempotent methods whose body
is not streamed (RFC 9112 9.3.1), and the pool drops idle connections after 4 s, before
uvicorn's default 5 s keep-alive closes them from the other side.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.types import Message, Receive, Send

from mercato.gateway.headers import RawHeaders, response_headers
from mercato.gateway.metrics import UPSTREAM_ERRORS
from mercato.gateway.upstream_client import (
    AnswerTimeout,
    ConnectFailed,
    Response,
    UpstreamClosed,
    UpstreamPool,
)
from mercato.kit.http import POOL_KEEPALIVE_SECONDS
from mercato.kit.settings import SERVICES, Settings

# Small answers are read whole and sent in one message; larger or unsized ones stream.
_SEND_WHOLE_BELOW = 64 * 1024
_POOL_SIZE = 512
_NO_BODY_STATUSES = frozenset({204, 304})


class UpstreamFailed(Exception):
    """The upstream could not give an answer; `status` is what the client gets instead."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class RequestBodyTooLarge(Exception):
    pass


class ClientDisconnected(Exception):
    pass


class UpstreamBroke(Exception):
    """The upstream failed after the answer had started: the client connection is aborted."""


@dataclass(slots=True)
class Outgoing:
    """A request ready to forward: its head (request line and headers, without `Host` and the
    final empty line) and its body: bytes, none, or streamed from the client (`chunked` when
    the client sent no length)."""

    method: str
    head: bytes
    body: bytes | None
    streamed: bool
    chunked: bool


class Proxy:
    def __init__(self, settings: Settings) -> None:
        self.max_body = settings.max_body_bytes
        self.pools: dict[str, UpstreamPool] = {}
        self.prefixes: dict[str, bytes] = {}
        for name in SERVICES:
            url = urlsplit(settings.service_url(name))
            if url.scheme != "http" or not url.hostname:
                raise ValueError(f"the {name} service URL must be http://host[:port]: {url}")
            self.prefixes[name] = url.path.rstrip("/").encode("latin-1")
            self.pools[name] = UpstreamPool(
                url.hostname,
                url.port or 80,
                connect_timeout=settings.connect_timeout_seconds,
                read_timeout=settings.upstream_timeout_seconds,
                keepalive_seconds=POOL_KEEPALIVE_SECONDS,
                size=_POOL_SIZE,
            )

    async def start(self) -> None:
        pass  # connections are opened on first use

    async def close(self) -> None:
        for pool in self.pools.values():
            pool.close()

    def prefix(self, upstream: str) -> bytes:
        """The path the upstream's URL puts before every target (usually empty)."""
        return self.prefixes[upstream]

    async def forward(
        self, upstream: str, request: Outgoing, receive: Receive, send: Send, extra: RawHeaders
    ) -> int:
        """Send `request` upstream and stream its answer to the client; returns the status.

        Raises `UpstreamFailed` when no answer started, `RequestBodyTooLarge` when a streamed
        body passed the limit, `ClientDisconnected` when the client left mid-upload.
        """
        stream = stream_body(receive, self.max_body) if request.streamed else None
        try:
            response = await self.pools[upstream].send(
                request.method, request.head, request.body, stream, chunked=request.chunked
            )
        except (ConnectFailed, AnswerTimeout, UpstreamClosed) as exc:
            raise _failure(upstream, exc) from exc
        try:
            return await self._relay(upstream, request.method, response, send, extra)
        finally:
            response.finish()

    async def _relay(
        self, upstream: str, method: str, response: Response, send: Send, extra: RawHeaders
    ) -> int:
        status = response.status
        headers, length = response_headers(response.headers, extra)
        if method == "HEAD" or status in _NO_BODY_STATUSES:
            if method != "HEAD" and length is not None:
                # A 304 may describe its representation's length (RFC 9110 8.6), but uvicorn
                # then waits for that many bytes that never come: drop it.
                headers = [(name, value) for name, value in headers if name != b"content-length"]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return status
        if response.complete or (length is not None and length <= _SEND_WHOLE_BELOW):
            try:
                body = await response.read_all()
            except (AnswerTimeout, UpstreamClosed) as exc:
                raise _failure(upstream, exc) from exc
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return status
        await send({"type": "http.response.start", "status": status, "headers": headers})
        try:
            async for chunk in response.body_chunks():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except (AnswerTimeout, UpstreamClosed) as exc:
            _failure(upstream, exc)  # counted; the status is already on its way
            raise UpstreamBroke(f"{upstream} failed mid-answer: {exc!r}") from exc
        await send({"type": "http.response.body", "body": b""})
        return status


async def stream_body(receive: Receive, limit: int) -> AsyncIterator[bytes]:
    """The client's body as it arrives, cut off past `limit` bytes."""
    seen = 0
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk: bytes = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            raise RequestBodyTooLarge
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


def _failure(upstream: str, exc: BaseException) -> UpstreamFailed:
    """The answer for an upstream failure, counted by kind."""
    if isinstance(exc, ConnectFailed):
        kind, status, detail = "connect", 503, f"The {upstream} service cannot be reached."
    elif isinstance(exc, AnswerTimeout):
        kind, status, detail = "timeout", 504, f"The {upstream} service did not answer in time."
    else:
        kind, status, detail = "disconnected", 503, f"The {upstream} service is unavailable."
    UPSTREAM_ERRORS.labels(upstream, kind).inc()
    return UpstreamFailed(status, detail)
