"""Problem details and the ServiceMiddleware, on a FastAPI app assembled by hand."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.routing import Route
from starlette.types import Message

from harness import free_port
from mercato.kit.db import Database
from mercato.kit.errors import PROBLEM_JSON, Conflict, install_error_handlers
from mercato.kit.kv import KeyValueStore, RedisStore
from mercato.kit.middleware import ServiceMiddleware
from mercato.kit.observability import health_endpoint, metrics_endpoint
from mercato.kit.ratelimit import RateLimiter

MAX_BODY = 1024
GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_id: str
    quantity: int = Field(ge=1, le=100)


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[Line] = Field(min_length=1)


def build_app(kv: KeyValueStore, *, rate: str = "1000/1m") -> tuple[FastAPI, str]:
    """The app and the (unique) service name its metrics are labelled with."""
    service = f"kittest-{uuid.uuid4().hex[:8]}"
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/orders", status_code=201)
    async def create_order(order: OrderIn) -> dict[str, int]:
        return {"lines": len(order.items)}

    @app.post("/uploads")
    async def upload(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/conflict")
    async def conflict() -> None:
        raise Conflict("That SKU is taken.", extra={"sku": "ABC-1"})

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("SELECT password_hash FROM users -- internals")

    health = health_endpoint(service, {"cache": kv.ping})
    app.router.routes.append(Route("/health", health, methods=["GET"]))
    app.router.routes.append(Route("/metrics", metrics_endpoint, methods=["GET"]))
    app.add_middleware(
        ServiceMiddleware,
        service=service,
        max_body_bytes=MAX_BODY,
        limiter=RateLimiter(kv, rate, namespace=f"svc:{service}"),
        service_token=SERVICE_TOKEN,
    )
    return app, service


def client_for(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://svc")


@pytest.fixture
async def client(kv: KeyValueStore) -> AsyncIterator[httpx.AsyncClient]:
    app, _ = build_app(kv)
    async with client_for(app) as c:
        yield c


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert isinstance(body["type"], str)
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    assert body["request_id"] == response.headers["x-request-id"]
    return body


class TestProblemDetails:
    async def test_mercato_error(self, client: httpx.AsyncClient) -> None:
        body = assert_problem(await client.get("/conflict"), 409)
        assert body["code"] == "conflict"
        assert body["title"] == "Conflict"
        assert body["detail"] == "That SKU is taken."
        assert body["sku"] == "ABC-1"

    async def test_validation_lists_field_paths(self, client: httpx.AsyncClient) -> None:
        order = {
            "items": [
                {"product_id": "p1", "quantity": 1},
                {"product_id": "p2", "quantity": 0, "price": "0.01"},
            ]
        }
        body = assert_problem(await client.post("/orders", json=order), 422)
        assert body["code"] == "validation_error"
        errors = body["errors"]
        assert isinstance(errors, list)
        assert {e["field"] for e in errors} == {"items.1.quantity", "items.1.price"}
        assert all(e["message"] for e in errors)

    async def test_missing_body(self, client: httpx.AsyncClient) -> None:
        body = assert_problem(await client.post("/orders"), 422)
        assert body["errors"] == [{"field": "body", "message": "Field required"}]

    async def test_bad_path_parameter(self, client: httpx.AsyncClient) -> None:
        body = assert_problem(await client.get("/items/abc"), 422)
        assert [e["field"] for e in body["errors"]] == ["item_id"]  # type: ignore[attr-defined]

    @pytest.mark.parametrize("raw", [b'{"items": [', b"not json", b'{"items": [1,]}'])
    async def test_malformed_json_is_400(self, client: httpx.AsyncClient, raw: bytes) -> None:
        response = await client.post(
            "/orders", content=raw, headers={"content-type": "application/json"}
        )
        assert assert_problem(response, 400)["code"] == "malformed_json"

    async def test_unknown_path_is_404(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get("/nowhere"), 404)

    async def test_wrong_method_is_405(self, client: httpx.AsyncClient) -> None:
        response = await client.delete("/orders")
        assert_problem(response, 405)
        assert response.headers["allow"] == "POST"

    async def test_unexpected_error_is_500_without_internals(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/boom", headers={"X-Request-ID": "trace-500"})
        body = assert_problem(response, 500)
        assert body["request_id"] == "trace-500"
        assert body["code"] == "internal_error"
        assert "SELECT" not in response.text
        assert "RuntimeError" not in response.text
        assert response.headers["x-content-type-options"] == "nosniff"


class TestRequestId:
    @pytest.mark.parametrize("sent", ["abc-123", "trace.id:42_x", "A" * 128])
    async def test_sane_id_is_echoed(self, client: httpx.AsyncClient, sent: str) -> None:
        response = await client.get("/items/1", headers={"X-Request-ID": sent})
        assert response.headers["x-request-id"] == sent

    @pytest.mark.parametrize("sent", ["", "has space", "<script>", "A" * 129, "a/b", "ümlaut"])
    async def test_other_ids_are_replaced(self, client: httpx.AsyncClient, sent: str) -> None:
        response = await client.get("/items/1", headers={b"x-request-id": sent.encode()})
        assert GENERATED_ID.match(response.headers["x-request-id"])

    async def test_generated_when_absent_and_unique(self, client: httpx.AsyncClient) -> None:
        ids = {(await client.get("/items/1")).headers["x-request-id"] for _ in range(3)}
        assert len(ids) == 3
        assert all(GENERATED_ID.match(i) for i in ids)


@pytest.mark.parametrize("path", ["/items/1", "/nowhere", "/boom", "/health"])
async def test_security_headers_on_every_answer(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


class TestBodyLimit:
    async def test_within_the_limit(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/uploads", content=b"x" * MAX_BODY)
        assert response.json() == {"bytes": MAX_BODY}

    async def test_content_length_over_the_limit(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/uploads", content=b"x" * (MAX_BODY + 1))
        assert assert_problem(response, 413)["code"] == "payload_too_large"

    @pytest.mark.parametrize("path", ["/uploads", "/orders"])
    async def test_chunked_body_over_the_limit(self, client: httpx.AsyncClient, path: str) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"[" * 200

        response = await client.post(path, content=chunks())
        assert "content-length" not in response.request.headers
        assert assert_problem(response, 413)["code"] == "payload_too_large"

    @pytest.mark.parametrize("length", [b"abc", b"-1", "\u00b2".encode("latin-1"), b"1e3"])
    async def test_content_length_that_is_no_number(self, kv: KeyValueStore, length: bytes) -> None:
        # Sent as raw ASGI: HTTP clients refuse to write such a header.
        app, _ = build_app(kv)
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/uploads",
            "raw_path": b"/uploads",
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"svc"), (b"content-length", length)],
            "client": ("127.0.0.1", 5000),
            "server": ("svc", 80),
        }
        await app(scope, receive, send)
        assert sent[0]["status"] == 413


SERVICE_TOKEN = "test-service-token"


class TestServiceRateLimit:
    async def test_429_with_headers_after_the_limit(self, kv: KeyValueStore) -> None:
        app, _ = build_app(kv, rate="3/1m")
        async with client_for(app) as c:
            allowed = [await c.get("/items/1") for _ in range(3)]
            denied = await c.get("/items/1")

        assert [r.status_code for r in allowed] == [200, 200, 200]
        assert [r.headers["ratelimit-remaining"] for r in allowed] == ["2", "1", "0"]
        assert allowed[0].headers["ratelimit-limit"] == "3"
        body = assert_problem(denied, 429)
        assert body["code"] == "rate_limited"
        assert 1 <= int(denied.headers["retry-after"]) <= 60
        assert denied.headers["ratelimit-remaining"] == "0"

    async def test_health_and_metrics_are_not_limited(self, kv: KeyValueStore) -> None:
        app, _ = build_app(kv, rate="1/1m")
        async with client_for(app) as c:
            assert (await c.get("/items/1")).status_code == 200
            assert (await c.get("/items/1")).status_code == 429
            for _ in range(5):
                assert (await c.get("/health")).status_code == 200
                assert (await c.get("/metrics")).status_code == 200

    async def test_our_services_are_not_limited_per_client(self, kv: KeyValueStore) -> None:
        """The orders service's calls to products all come from one address: metered per
        client they would throttle every shopper's checkout at once."""
        app, _ = build_app(kv, rate="2/1m")
        ours = {"X-Service-Token": SERVICE_TOKEN}
        async with client_for(app) as c:
            served = [(await c.get("/items/1", headers=ours)).status_code for _ in range(5)]
            forged = [
                (await c.get("/items/1", headers={"X-Service-Token": "guess"})).status_code
                for _ in range(3)
            ]

        assert served == [200] * 5
        assert forged == [200, 200, 429]

    async def test_a_store_outage_does_not_take_the_service_down(self) -> None:
        down = RedisStore("redis://127.0.0.1:1/0")
        app, _ = build_app(down, rate="1/1m")
        async with client_for(app) as c:
            assert [(await c.get("/items/1")).status_code for _ in range(3)] == [200] * 3
            health = await c.get("/health")
        await down.close()
        assert health.status_code == 503
        assert health.json()["status"] == "degraded"
        assert health.json()["checks"]["cache"]["status"] == "down"


async def test_health_reports_its_checks(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "ok"


async def test_metrics_count_requests_by_route_template(kv: KeyValueStore) -> None:
    app, service = build_app(kv)
    async with client_for(app) as c:
        for item_id in (1, 2, 3):
            await c.get(f"/items/{item_id}")
        await c.get("/items/nope")
        await c.get("/no/such/page")
        metrics = await c.get("/metrics")

    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text

    def count(route: str, status: int) -> str:
        labels = f'method="GET",route="{route}",service="{service}",status="{status}"'
        return f"mercato_http_requests_total{{{labels}}}"

    assert f"{count('/items/{item_id}', 200)} 3.0" in text
    assert f"{count('/items/{item_id}', 422)} 1.0" in text
    assert f"{count('unmatched', 404)} 1.0" in text
    assert "/items/1" not in text
    latency = f'method="GET",route="/items/{{item_id}}",service="{service}"'
    assert f"mercato_http_request_duration_seconds_count{{{latency}}} 4.0" in text


async def test_nul_characters_in_the_url_answer_400_before_any_route() -> None:
    app = FastAPI()
    install_error_handlers(app)
    seen: list[str] = []

    @app.get("/things")
    async def things(q: str = "") -> dict[str, str]:
        seen.append(q)
        return {"q": q}

    app.add_middleware(ServiceMiddleware, service="test", max_body_bytes=1024)
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/things?q=a%00b")
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert (await client.get("/things?q=ab")).json() == {"q": "ab"}
    assert seen == ["ab"]


def test_new_request_ids_are_unique_hex_and_differ_in_a_forked_process() -> None:
    import os
    import re

    from mercato.kit.middleware import new_request_id

    ids = {new_request_id() for _ in range(50_000)}
    assert len(ids) == 50_000
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # a forked worker: its ids must not repeat the parent's
        os.write(write, new_request_id().encode())
        os._exit(0)
    os.waitpid(child, 0)
    from_child = os.read(read, 64).decode()
    os.close(read)
    os.close(write)
    assert from_child[:16] != next(iter(ids))[:16]
    assert from_child not in ids


async def test_a_database_that_cannot_be_reached_answers_503_not_500() -> None:
    """PostgreSQL down (nothing listens on its port): a retryable 503 problem."""
    database = Database(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/mercato")
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/rows")
    async def rows() -> None:
        await database.ping()

    app.add_middleware(ServiceMiddleware, service="test", max_body_bytes=MAX_BODY)

    async with client_for(app) as c:
        response = await c.get("/rows")
    await database.dispose()

    body = assert_problem(response, 503)
    assert body["code"] == "service_unavailable"
    assert response.headers["retry-after"] == "1"
    assert "postgres" not in response.text  # no internals
