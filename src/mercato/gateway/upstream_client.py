"""A lean HTTP/1.1 client for the hop: asyncio Protocols (uvloop) and httptools' parser.

aiohttp's client costs more Python per request than the rest of the gateway together (its
request/response objects, header multidicts, timers and stream readers). The hop needs little
of it: one keep-alive pool per upstream, a request written in one call when its body is
known, the answer parsed in C and handed over as it arrives. Semantics follow RFC 9112:
bodies by Content-Length, chunked, or until close; none for HEAD, 1xx, 204 and 304; a pooled
connection the upstream closed while idle is retried once, for idempotent requests only.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import cast

import httptools

# Methods safe to send twice (RFC 9110 9.2.2): only these are retried on a stale connection.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
# Past this many unsent bytes of answer, reading from the upstream pauses (a slow client).
_HIGH_WATER = 256 * 1024


class ConnectFailed(Exception):
    """No connection could be made (refused, unreachable, or the connect timed out)."""


class AnswerTimeout(Exception):
    """The upstream went silent for longer than the read timeout."""


class UpstreamClosed(Exception):
    """The connection broke or the answer was malformed before it was complete."""


class Response(asyncio.Protocol):
    """One pooled connection and the answer currently arriving on it."""

    def __init__(self, pool: UpstreamPool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reused = False
        self.idle_since = 0.0
        self._writable: asyncio.Future[None] | None = None
        self._begin(False)

    def _begin(self, head_only: bool) -> None:
        """Reset for the next answer on this connection."""
        self.parser = httptools.HttpResponseParser(self)
        self.head_only = head_only
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: deque[bytes] = deque()
        self.buffered = 0
        self.head_done = False
        self.complete = False
        self.keep_alive = False
        self.received_any = False
        self.error: BaseException | None = None
        self.last_activity = time.monotonic()
        self._waiter: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.received_any = True
        self.last_activity = time.monotonic()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamClosed(f"malformed answer: {exc}"))

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.pool.forget(self)
        if self.head_done and not self.complete and not self._has_framing():
            # No Content-Length and not chunked: the body ends with the connection.
            self.complete = True
            self.keep_alive = False
            self._wake()
        elif not self.complete:
            self._fail(UpstreamClosed(f"connection closed: {exc!r}" if exc else "closed"))
        if self._writable is not None and not self._writable.done():
            self._writable.set_exception(UpstreamClosed("connection closed while sending"))

    def pause_writing(self) -> None:
        self._writable = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    # -- httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        if self.status < 200:  # an interim answer (1xx): the real one follows
            self.headers = []
            return
        self.head_done = True
        if self.head_only:  # HEAD: the headers describe a body that is not sent
            self.complete = True
            self.keep_alive = self.parser.should_keep_alive()
        self._wake()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)
        if self.buffered > _HIGH_WATER and self.transport is not None:
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if not self.head_done:
            return  # the end of a 1xx
        self.keep_alive = self.parser.should_keep_alive()
        self.complete = True
        self._wake()

    # -- used by the pool and the proxy
    def _has_framing(self) -> bool:
        for name, value in self.headers:
            lowered = name.lower()
            if lowered == b"content-length":
                return True
            if lowered == b"transfer-encoding" and b"chunked" in value.lower():
                return True
        return False

    def _fail(self, error: BaseException) -> None:
        if self.error is None:
            self.error = error
        if self.transport is not None:
            self.transport.abort()
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def _wait(self) -> None:
        """Until something arrives (or fails, or the read timeout passes in silence)."""
        if self.error is not None:
            raise self.error
        # The read timeout counts silence while we wait, not time spent feeding a slow client.
        self.last_activity = time.monotonic()
        self._waiter = asyncio.get_running_loop().create_future()
        if self._timer is None:
            self._arm_timer()
        try:
            await self._waiter
        finally:
            self._waiter = None
        if self.error is not None:
            raise self.error

    def _arm_timer(self) -> None:
        timeout = self.pool.read_timeout
        delay = self.last_activity + timeout - time.monotonic()
        self._timer = asyncio.get_running_loop().call_later(max(delay, 0.0), self._check_silence)

    def _check_silence(self) -> None:
        self._timer = None
        if self.complete or self.error is not None:
            return
        if time.monotonic() - self.last_activity >= self.pool.read_timeout:
            self._fail(AnswerTimeout("no answer in time"))
        elif self._waiter is not None:
            self._arm_timer()

    async def write(self, data: bytes) -> None:
        assert self.transport is not None
        if self.closed:
            raise UpstreamClosed("connection closed while sending")
        self.transport.write(data)
        if self._writable is not None:
            await self._writable

    async def read_head(self) -> None:
        while not self.head_done:
            await self._wait()

    async def read_all(self) -> bytes:
        """The whole body (for answers small enough to hold)."""
        while not self.complete:
            await self._wait()
        body = b"".join(self.chunks) if len(self.chunks) != 1 else self.chunks[0]
        self.chunks.clear()
        self.buffered = 0
        return body

    async def body_chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives."""
        while True:
            while self.chunks:
                chunk = self.chunks.popleft()
                self.buffered -= len(chunk)
                if self.buffered <= _HIGH_WATER // 2 and self.transport is not None:
                    self.transport.resume_reading()
                yield chunk
            if self.complete:
                return
            await self._wait()

    def finish(self) -> None:
        """Done with this answer: the connection goes back to the pool, or is closed, and
        the request's slot in the pool is free again. Call exactly once per `send`."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        reusable = self.complete and self.keep_alive and self.error is None and not self.closed
        if reusable and not self.chunks:
            self.pool.put_back(self)
        else:
            self.close()
        self.pool.slots.release()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self.closed and self.transport is not None:
            self.transport.abort()
        self.closed = True
        self.pool.forget(self)


class UpstreamPool:
    """Keep-alive connections to one upstream, at most `size` at a time."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        connect_timeout: float,
        read_timeout: float,
        keepalive_seconds: float,
        size: int,
    ) -> None:
        self.host = host
        self.port = port
        self.host_header = f"Host: {host}:{port}\r\n".encode("latin-1")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.keepalive_seconds = keepalive_seconds
        self.idle: list[Response] = []
        self.in_use: set[Response] = set()
        self.slots = asyncio.Semaphore(size)

    async def send(
        self,
        method: str,
        head: bytes,
        body: bytes | None,
        stream: AsyncIterator[bytes] | None = None,
        *,
        chunked: bool = False,
    ) -> Response:
        """Send a request and wait for its answer's head; the caller must `finish()` it.

        `head` is the request line and headers without `Host` and the final empty line. The
        body is `body` (sent with its length, `None` for none) or `stream`, whose framing
        header is in `head` (Content-Length) unless `chunked`, when it is framed here.
        """
        if self.slots.locked():
            try:
                await asyncio.wait_for(self.slots.acquire(), self.read_timeout)
            except TimeoutError as exc:
                raise ConnectFailed("no free connection in time") from exc
        else:
            await self.slots.acquire()
        try:
            retry = stream is None and method in IDEMPOTENT
            while True:
                connection = self._idle_connection() or await self._connect()
                try:
                    await self._exchange(connection, method, head, body, stream, chunked)
                    return connection
                except UpstreamClosed:
                    connection.close()
                    # A pooled connection closed by the upstream as we sent: nothing was
                    # answered, so an idempotent request may go once more on a fresh one.
                    if not (retry and connection.reused and not connection.received_any):
                        raise
                    retry = False
                except BaseException:
                    connection.close()
                    raise
        except BaseException:
            self.slots.release()
            raise

    async def _exchange(
        self,
        connection: Response,
        method: str,
        head: bytes,
        body: bytes | None,
        stream: AsyncIterator[bytes] | None,
        chunked: bool,
    ) -> None:
        connection._begin(method == "HEAD")
        self.in_use.add(connection)
        if stream is None:
            length = b"\r\n" if body is None else b"Content-Length: %d\r\n\r\n" % len(body)
            await connection.write(b"".join((head, self.host_header, length, body or b"")))
        elif chunked:
            await connection.write(head + self.host_header + b"Transfer-Encoding: chunked\r\n\r\n")
            async for chunk in stream:
                await connection.write(b"%x\r\n%b\r\n" % (len(chunk), chunk))
            await connection.write(b"0\r\n\r\n")
        else:
            await connection.write(head + self.host_header + b"\r\n")
            async for chunk in stream:
                await connection.write(chunk)
        await connection.read_head()

    def _idle_connection(self) -> Response | None:
        now = time.monotonic()
        while self.idle:
            connection = self.idle.pop()
            if connection.closed or now - connection.idle_since > self.keepalive_seconds:
                connection.close()
                continue
            connection.reused = True
            return connection
        return None

    async def _connect(self) -> Response:
        loop = asyncio.get_running_loop()
        try:
            _, connection = await asyncio.wait_for(
                loop.create_connection(lambda: Response(self), self.host, self.port),
                self.connect_timeout,
            )
        except (OSError, TimeoutError) as exc:
            raise ConnectFailed(str(exc) or type(exc).__name__) from exc
        return connection

    def put_back(self, connection: Response) -> None:
        self.in_use.discard(connection)
        connection.idle_since = time.monotonic()
        self.idle.append(connection)

    def forget(self, connection: Response) -> None:
        self.in_use.discard(connection)

    def close(self) -> None:
        for connection in [*self.idle, *self.in_use]:
            connection.close()
        self.idle.clear()
