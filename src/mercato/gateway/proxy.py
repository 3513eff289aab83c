"""The hop itself: one aiohttp connection pool per upstream, bodies streamed both ways.

Failures map to what API.md promises: an upstream that cannot be reached answers 503 within
the connect timeout, one that does not answer within the upstream timeout 504. A pooled
connection the upstream closed while idle is retried once by aiohttp for idempotent methods
whose body has not been consumed (RFC 9112 9.3.1), and the pool drops idle connections
after 4 s, before uvicorn's default 5 s keep-alive closes them from the other side.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from starlette.types import Message, Receive, Send
from yarl import URL

from mercato.gateway.headers import RawHeaders, response_headers
from mercato.gateway.metrics import UPSTREAM_ERRORS
from mercato.kit.http import POOL_KEEPALIVE_SECONDS
from mercato.kit.settings import SERVICES, Settings

# Small answers are read whole and sent in one message; larger or unsized ones stream.
_SEND_WHOLE_BELOW = 64 * 1024
_POOL_SIZE = 512
# aiohttp would otherwise add its own User-Agent, Accept, Accept-Encoding and Content-Type.
_SKIP_AUTO_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")
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
    """A request ready to forward: target, headers, and the body (bytes, stream or none)."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes | None
    streamed: bool


class Proxy:
    def __init__(self, settings: Settings) -> None:
        self.bases = {name: settings.service_url(name) for name in SERVICES}
        self.max_body = settings.max_body_bytes
        self.timeout = aiohttp.ClientTimeout(
            total=None,
            connect=settings.upstream_timeout_seconds,  # includes waiting for a free connection
            sock_connect=settings.connect_timeout_seconds,
            sock_read=settings.upstream_timeout_seconds,
        )
        self.sessions: dict[str, aiohttp.ClientSession] = {}

    async def start(self) -> None:
        for name in self.bases:
            self._session(name)

    async def close(self) -> None:
        sessions, self.sessions = self.sessions, {}
        for session in sessions.values():
            await session.close()

    def _session(self, name: str) -> aiohttp.ClientSession:
        session = self.sessions.get(name)
        if session is None:
            connector = aiohttp.TCPConnector(
                limit=_POOL_SIZE,
                keepalive_timeout=POOL_KEEPALIVE_SECONDS,
                ttl_dns_cache=300,
            )
            session = self.sessions[name] = aiohttp.ClientSession(
                connector=connector,
                timeout=self.timeout,
                auto_decompress=False,
                # Cookies belong to the client: the gateway's pool must never keep and
                # replay one client's Set-Cookie to another.
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=_SKIP_AUTO_HEADERS,
                trust_env=False,
            )
        return session

    async def forward(
        self, upstream: str, request: Outgoing, receive: Receive, send: Send, extra: RawHeaders
    ) -> int:
        """Send `request` upstream and stream its answer to the client; returns the status.

        Raises `UpstreamFailed` when no answer started, `RequestBodyTooLarge` when a streamed
        body passed the limit, `ClientDisconnected` when the client left mid-upload.
        """
        url = URL(self.bases[upstream] + request.target, encoded=True)
        body_state = _BodyState()
        data: bytes | AsyncIterator[bytes] | None = request.body
        if request.streamed:
            data = _stream_body(receive, self.max_body, body_state)
        try:
            response = await self._session(upstream).request(
                request.method,
                url,
                headers=request.headers,
                data=data,
                allow_redirects=False,
            )
        except (aiohttp.ClientError, TimeoutError, OSError, RequestBodyTooLarge) as exc:
            if body_state.too_large:
                raise RequestBodyTooLarge from exc
            if body_state.disconnected:
                raise ClientDisconnected from exc
            raise _failure(upstream, exc) from exc
        try:
            return await self._relay(upstream, request.method, response, send, extra)
        finally:
            response.release()

    async def _relay(
        self,
        upstream: str,
        method: str,
        response: aiohttp.ClientResponse,
        send: Send,
        extra: RawHeaders,
    ) -> int:
        status = response.status
        headers = response_headers(response.raw_headers, extra)
        length = response.content_length
        if method == "HEAD" or status in _NO_BODY_STATUSES:
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return status
        if length is not None and length <= _SEND_WHOLE_BELOW:
            try:
                body = await response.read()
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise _failure(upstream, exc) from exc
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return status
        await send({"type": "http.response.start", "status": status, "headers": headers})
        try:
            async for chunk in response.content.iter_any():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except (aiohttp.ClientError, TimeoutError) as exc:
            _failure(upstream, exc)  # counted; the status is already on its way
            raise UpstreamBroke(f"{upstream} failed mid-answer: {exc!r}") from exc
        await send({"type": "http.response.body", "body": b""})
        return status


class _BodyState:
    __slots__ = ("disconnected", "too_large")

    def __init__(self) -> None:
        self.too_large = False
        self.disconnected = False


async def _stream_body(receive: Receive, limit: int, state: _BodyState) -> AsyncIterator[bytes]:
    """The client's body as it arrives, cut off past `limit` bytes."""
    seen = 0
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            state.disconnected = True
            raise ClientDisconnected
        chunk: bytes = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            state.too_large = True
            raise RequestBodyTooLarge
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


def _failure(upstream: str, exc: BaseException) -> UpstreamFailed:
    """The answer for an upstream failure, counted by kind."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError | aiohttp.ClientConnectorError):
        kind, status, detail = "connect", 503, f"The {upstream} service cannot be reached."
    elif isinstance(exc, TimeoutError):  # aiohttp's ServerTimeoutError is one too
        kind, status, detail = "timeout", 504, f"The {upstream} service did not answer in time."
    else:
        kind, status, detail = "disconnected", 503, f"The {upstream} service is unavailable."
    UPSTREAM_ERRORS.labels(upstream, kind).inc()
    return UpstreamFailed(status, detail)
