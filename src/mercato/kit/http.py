"""The shared HTTP client for service-to-service calls: one aiohttp pool per upstream.

Timeouts on every call, the caller's request id forwarded, a bounded retry for calls that
are safe to repeat, and failures mapped to the problem details a caller would answer with:
an upstream that cannot be reached is a 503, one that does not answer in time a 504.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from typing import Any, NamedTuple

import aiohttp
from multidict import CIMultiDictProxy
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    retry_if_not_exception_type,
    stop_after_attempt,
    wait_exponential,
)
from yarl import URL

from mercato.kit.context import current_request_id
from mercato.kit.errors import GatewayTimeout, ServiceUnavailable

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Keep pooled connections for less time than uvicorn's default keep-alive (5 s), so the
# upstream is never the side that closes an idle connection we are about to reuse.
POOL_KEEPALIVE_SECONDS = 4.0


class UpstreamResponse(NamedTuple):
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes

    def json(self) -> Any:
        return jsonlib.loads(self.body)


class UpstreamStatusError(ServiceUnavailable):
    """`get_json` met an answer other than 2xx; uncaught, it is the caller's 503."""

    def __init__(self, upstream: str, response: UpstreamResponse) -> None:
        super().__init__(f"The {upstream} service answered {response.status}.")
        self.response = response


class UpstreamClient:
    """Calls one upstream service through one connection pool, started lazily or by `start()`."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        timeout: float,
        connect_timeout: float,
        service_token: str | None = None,
        pool_size: int = 100,
        attempts: int = 3,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(
            total=timeout, sock_connect=connect_timeout, connect=timeout
        )
        self._default_headers = {"X-Service-Token": service_token} if service_token else {}
        self._pool_size = pool_size
        self._attempts = attempts
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._pool_size, keepalive_timeout=POOL_KEEPALIVE_SECONDS
            )
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, headers=self._default_headers
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> UpstreamClient:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> UpstreamResponse:
        """One call, answered whatever its status; only transport failures raise."""
        await self.start()
        method = method.upper()
        outgoing = dict(headers or {})
        request_id = current_request_id()
        if request_id and "X-Request-ID" not in outgoing:
            outgoing["X-Request-ID"] = request_id
        # A refused connection never reached the upstream, so even a POST may be retried;
        # a dropped one may have been processed, so only idempotent methods are.
        retryable: tuple[type[BaseException], ...] = (
            (aiohttp.ClientConnectionError,)
            if method in IDEMPOTENT_METHODS
            else (aiohttp.ClientConnectorError,)
        )
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=0.05, max=0.5),
            # A timeout is not retried: repeating it would multiply the caller's wait.
            retry=retry_if_exception_type(retryable)
            & retry_if_not_exception_type(aiohttp.ServerTimeoutError),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._send(method, path, json, outgoing)
        except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
            if isinstance(exc, aiohttp.ConnectionTimeoutError):
                raise ServiceUnavailable(f"The {self.name} service cannot be reached.") from exc
            raise GatewayTimeout(f"The {self.name} service did not answer in time.") from exc
        except aiohttp.ClientError as exc:
            raise ServiceUnavailable(f"The {self.name} service cannot be reached.") from exc
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    async def get_json(self, path: str, *, headers: Mapping[str, str] | None = None) -> Any:
        """The decoded body of a 2xx answer; any other status raises `UpstreamStatusError`."""
        response = await self.request("GET", path, headers=headers)
        if not 200 <= response.status < 300:
            raise UpstreamStatusError(self.name, response)
        return response.json()

    async def _send(
        self, method: str, path: str, json: Any, headers: dict[str, str]
    ) -> UpstreamResponse:
        assert self._session is not None
        url = URL(self.base_url + path, encoded=True)
        async with self._session.request(method, url, json=json, headers=headers) as response:
            body = await response.read()
            return UpstreamResponse(response.status, response.headers, body)
