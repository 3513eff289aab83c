"""The gateway as a lean pure-ASGI app: `uvicorn --factory mercato.gateway.app:create_app`.

Per request, in order: request id; `/health`, `/metrics` and CORS preflights (not rate
limited); the general rate limit (from a leased block of the shared counter, a store round
trip only now and then); routing (unknown and `/internal/` paths answer 404); the 1 MiB body
limit; on login, registration and password reset the stricter limit per client and per
account; then the hop (upstream_client.py). Starlette's router and middleware
stack are avoided on purpose: on this path they cost more than the proxying itself.
"""

from __future__ import annotations

import time

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import Receive, Scope, Send

from mercato.gateway.cors import CorsPolicy, allowed_origins
from mercato.gateway.headers import (
    DROP_FROM_REQUEST,
    HSTS,
    SECURITY_HEADERS,
    RawHeaders,
    TrustedProxies,
    connection_tokens,
)
from mercato.gateway.health import HealthAggregator
from mercato.gateway.metrics import RequestMetrics
from mercato.gateway.proxy import (
    ClientDisconnected,
    Outgoing,
    Proxy,
    RequestBodyTooLarge,
    UpstreamFailed,
    stream_body,
)
from mercato.gateway.ratelimit import GatewayLimits, StoreDown, account_of, is_strict_auth
from mercato.gateway.routing import resolve
from mercato.kit.clients import client_address
from mercato.kit.context import request_id_var
from mercato.kit.errors import PROBLEM_JSON, problem_body
from mercato.kit.kv import KeyValueStore, open_store
from mercato.kit.logging import configure_logging
from mercato.kit.middleware import request_id_from
from mercato.kit.ratelimit import RateDecision
from mercato.kit.runtime import freeze_startup_heap
from mercato.kit.settings import Settings, get_settings

log = structlog.get_logger("mercato.access")
_JSON = b"application/json"
_TOO_LARGE = "The request body is larger than 1 MiB."


def create_app(settings: Settings | None = None) -> Gateway:
    settings = settings or get_settings()
    configure_logging("gateway", settings.log_level, settings.log_format)
    return Gateway(settings)


class Gateway:
    def __init__(self, settings: Settings, *, kv: KeyValueStore | None = None) -> None:
        self.settings = settings
        self.kv = kv or open_store(settings.redis_url, settings.data_dir, settings.kv_prefix)
        self.limits = GatewayLimits(self.kv, settings.rate_limit, settings.auth_rate_limit)
        self.cors = CorsPolicy(allowed_origins(settings))
        self.trusted = TrustedProxies(settings.trusted_proxies)
        self.proxy = Proxy(settings)
        self.health = HealthAggregator(settings)
        self.metrics = RequestMetrics()
        self.max_body = settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        else:  # websockets are not routed
            await receive()
            await send({"type": "websocket.close", "code": 1008})

    async def startup(self) -> None:
        await self.proxy.start()
        await self.health.start()
        freeze_startup_heap()

    async def shutdown(self) -> None:
        await self.proxy.close()
        await self.health.close()
        await self.kv.close()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:  # reported to the server, which refuses to start
                    await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        raw = scope["headers"]
        headers = dict(raw)
        request_id = request_id_from(raw)
        token = request_id_var.set(request_id)
        peer_info = scope.get("client")
        peer = peer_info[0] if peer_info else None
        trusted_peer = peer in self.trusted
        over_tls = scope["scheme"] == "https" or (
            trusted_peer and headers.get(b"x-forwarded-proto") == b"https"
        )
        extra: RawHeaders = [(b"x-request-id", request_id.encode()), *SECURITY_HEADERS]
        if over_tls:
            extra.append(HSTS)
        origin = headers.get(b"origin")
        method: str = scope["method"]
        path: str = scope["path"]
        upstream, route, status = "gateway", "unmatched", 500
        try:
            if path == "/health":
                route = "/health"
                status, report = await self.health.report()
                await _respond(
                    send, status, report, _JSON, extra + self.cors.response_headers(origin)
                )
                return
            if path == "/metrics":
                route = "/metrics"
                status = 200
                await _respond(send, 200, generate_latest(), CONTENT_TYPE_LATEST.encode(), extra)
                return
            if method == "OPTIONS" and origin and b"access-control-request-method" in headers:
                route, status = "preflight", 204
                await _respond(send, 204, b"", None, extra + self.cors.preflight_headers(origin))
                return
            extra += self.cors.response_headers(origin)

            forwarded_for = headers.get(b"x-forwarded-for")
            client = client_address(
                peer,
                forwarded_for.decode("latin-1") if forwarded_for else None,
                self.trusted.entries,
            )
            decision = await self.limits.check_general(client)
            if decision is not None and not decision.allowed:
                status = 429
                await _problem(
                    send,
                    429,
                    "Too many requests; retry later.",
                    "rate_limited",
                    extra + _rate_headers(decision),
                )
                return

            target = resolve(path)
            if target is None:
                status = 404
                await _problem(
                    send, 404, "No such resource.", "not_found", extra + _rate_headers(decision)
                )
                return
            upstream, route = target.upstream, target.prefix

            length = headers.get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                status = 413 if length.isdigit() else 400
                await _problem(
                    send,
                    status,
                    _TOO_LARGE if status == 413 else "The Content-Length header is not a number.",
                    "payload_too_large" if status == 413 else "bad_request",
                    extra + _rate_headers(decision),
                )
                return
            streamed = (length is not None and length != b"0") or (b"transfer-encoding" in headers)

            body: bytes | None = None
            if is_strict_auth(method, path):
                body = await _read_body(receive, self.max_body) if streamed else b""
                streamed = False
                try:
                    auth_decision = await self.limits.check_auth(client, account_of(body))
                except StoreDown:
                    status = 503
                    await _problem(
                        send,
                        503,
                        "Rate limiting is unavailable; retry shortly.",
                        "service_unavailable",
                        extra + _rate_headers(decision),
                    )
                    return
                decision = auth_decision if decision is None else _stricter(decision, auth_decision)
                if not auth_decision.allowed:
                    status = 429
                    await _problem(
                        send,
                        429,
                        "Too many attempts; retry later.",
                        "rate_limited",
                        extra + _rate_headers(decision),
                    )
                    return
            extra += _rate_headers(decision)

            # A body the client framed with chunks goes on chunked, one with a length as is.
            chunked = streamed and b"transfer-encoding" in headers
            outgoing = Outgoing(
                method=method,
                head=self._request_head(
                    scope, upstream, raw, headers, request_id, peer, trusted_peer, body, chunked
                ),
                body=body,
                streamed=streamed,
                chunked=chunked,
            )
            status = await self.proxy.forward(upstream, outgoing, receive, send, extra)
        except RequestBodyTooLarge:
            status = 413
            await _problem(send, 413, _TOO_LARGE, "payload_too_large", extra)
        except UpstreamFailed as failure:
            status = failure.status
            await _problem(
                send,
                failure.status,
                failure.detail,
                "service_unavailable" if status == 503 else "gateway_timeout",
                extra,
            )
        except ClientDisconnected:
            status = 499  # nginx's code for "the client went away"; nobody receives it
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.observe(upstream, route, status, elapsed)
            log.info(
                "request",
                method=method,
                path=path,
                status=status,
                upstream=upstream,
                duration_ms=round(elapsed * 1000, 2),
            )
            request_id_var.reset(token)

    def _request_head(
        self,
        scope: Scope,
        upstream: str,
        raw: list[tuple[bytes, bytes]],
        headers: dict[bytes, bytes],
        request_id: str,
        peer: str | None,
        trusted_peer: bool,
        body: bytes | None,
        chunked: bool,
    ) -> bytes:
        """The request line and headers sent upstream (the pool adds `Host` and framing)."""
        drop = DROP_FROM_REQUEST
        if b"connection" in headers:
            drop = drop | connection_tokens(headers[b"connection"])
        if body is not None or chunked:
            drop = drop | {b"content-length"}  # re-sent as read, or replaced by chunks
        # The path and query exactly as the client encoded them.
        target: bytes = scope.get("raw_path") or scope["path"].encode()
        query: bytes = scope["query_string"]
        lines = [
            scope["method"].encode("latin-1"),
            b" ",
            self.proxy.prefix(upstream),
            target,
            b"?" + query if query else b"",
            b" HTTP/1.1\r\n",
        ]
        for name, value in raw:
            if name not in drop:
                lines += (name, b": ", value, b"\r\n")
        # Forwarding headers from the client are believed only from a trusted proxy.
        peer_text = (peer or "unknown").encode("latin-1")
        forwarded_for = headers.get(b"x-forwarded-for") if trusted_peer else None
        lines += (
            b"x-forwarded-for: ",
            forwarded_for + b", " + peer_text if forwarded_for else peer_text,
            b"\r\nx-forwarded-proto: ",
            (headers.get(b"x-forwarded-proto") if trusted_peer else None)
            or scope["scheme"].encode("latin-1"),
            b"\r\n",
        )
        host = (headers.get(b"x-forwarded-host") if trusted_peer else None) or headers.get(b"host")
        if host:
            lines += (b"x-forwarded-host: ", host, b"\r\n")
        lines += (b"x-request-id: ", request_id.encode("latin-1"), b"\r\n")
        return b"".join(lines)


def _rate_headers(decision: RateDecision | None) -> RawHeaders:
    if decision is None:
        return []
    return [(k.lower().encode(), v.encode()) for k, v in decision.headers().items()]


def _stricter(a: RateDecision, b: RateDecision) -> RateDecision:
    if not b.allowed or b.remaining < a.remaining:
        return b
    return a


async def _read_body(receive: Receive, limit: int) -> bytes:
    return b"".join([chunk async for chunk in stream_body(receive, limit)])


async def _respond(
    send: Send, status: int, body: bytes, content_type: bytes | None, headers: RawHeaders
) -> None:
    start: RawHeaders = [(b"content-length", str(len(body)).encode())]
    if content_type:
        start.append((b"content-type", content_type))
    await send({"type": "http.response.start", "status": status, "headers": start + headers})
    await send({"type": "http.response.body", "body": body})


async def _problem(send: Send, status: int, detail: str, code: str, headers: RawHeaders) -> None:
    await _respond(
        send, status, problem_body(status, detail, code=code), PROBLEM_JSON.encode(), headers
    )
