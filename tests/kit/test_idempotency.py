"""Idempotency keys on the key-value store: Redis (postgres backend) or the embedded SQLite file."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as redis_asyncio
from fastapi import FastAPI, Header, Request, Response

from mercato.kit.errors import install_error_handlers
from mercato.kit.idempotency import (
    REPLAYED_HEADER,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    IdempotencyStore,
    InFlight,
    InvalidIdempotencyKey,
    Mismatch,
    Proceed,
    Replay,
    fingerprint,
)
from mercato.kit.kv import KeyValueStore, PrefixedStore, RedisStore, SQLiteStore

StoreFactory = Callable[[], KeyValueStore]


@pytest.fixture
async def open_kv(backend: Any, tmp_path: Path) -> AsyncIterator[StoreFactory]:
    """Opens stores on one shared backend, as separate processes would: each its own client."""
    opened: list[KeyValueStore] = []
    prefix = f"test:idempotency:{uuid.uuid4().hex}:"

    def open_store() -> KeyValueStore:
        store: KeyValueStore = (
            PrefixedStore(RedisStore(backend.redis_url), prefix)
            if backend.redis_url
            else SQLiteStore(tmp_path / "kv.sqlite3")
        )
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        await store.close()
    if backend.redis_url:
        client = redis_asyncio.Redis.from_url(backend.redis_url)
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


@pytest.fixture
def store(open_kv: StoreFactory) -> IdempotencyStore:
    return IdempotencyStore(open_kv())


def new_key() -> str:
    return f"key-{uuid.uuid4()}"


FP = fingerprint("POST", "/api/payments", b'{"order_id": "o1"}')
OTHER_FP = fingerprint("POST", "/api/payments", b'{"order_id": "o2"}')


class TestBegin:
    async def test_first_request_proceeds_and_repeat_replays_stored_answer(
        self, store: IdempotencyStore
    ) -> None:
        key = new_key()
        assert await store.begin("user-1", key, FP) == Proceed()
        body = b'{"id": "p1", "status": "succeeded"}\x00\xff'
        headers = {"content-type": "application/json", "location": "/api/payments/p1"}
        await store.complete("user-1", key, FP, 201, headers, body)

        assert await store.begin("user-1", key, FP) == Replay(201, headers, body)
        assert await store.begin("user-1", key, FP) == Replay(201, headers, body)

    async def test_repeat_while_first_is_processing_is_in_flight(
        self, store: IdempotencyStore
    ) -> None:
        key = new_key()
        assert await store.begin("user-1", key, FP) == Proceed()
        assert await store.begin("user-1", key, FP) == InFlight()
        with pytest.raises(IdempotencyKeyInFlight) as raised:
            await store.claim("user-1", key, FP)
        assert (raised.value.status, raised.value.code) == (409, "idempotency_in_flight")

    async def test_same_key_with_another_body_is_a_mismatch(self, store: IdempotencyStore) -> None:
        key = new_key()
        assert await store.begin("user-1", key, FP) == Proceed()
        assert await store.begin("user-1", key, OTHER_FP) == Mismatch()
        await store.complete("user-1", key, FP, 201, {}, b"{}")
        assert await store.begin("user-1", key, OTHER_FP) == Mismatch()
        with pytest.raises(IdempotencyKeyReused) as raised:
            await store.claim("user-1", key, OTHER_FP)
        assert (raised.value.status, raised.value.code) == (422, "idempotency_key_reused")

    async def test_abandoned_key_can_be_used_again(self, store: IdempotencyStore) -> None:
        key = new_key()
        assert await store.begin("user-1", key, FP) == Proceed()
        await store.abandon("user-1", key)
        assert await store.begin("user-1", key, OTHER_FP) == Proceed()

    async def test_keys_are_scoped_to_the_caller(self, store: IdempotencyStore) -> None:
        key = new_key()
        assert await store.begin("user-1", key, FP) == Proceed()
        await store.complete("user-1", key, FP, 201, {}, b"mine")
        assert await store.begin("user-2", key, FP) == Proceed()

    async def test_lock_of_a_crashed_request_expires(self, open_kv: StoreFactory) -> None:
        store = IdempotencyStore(open_kv(), lock_ttl=0.2)
        key = new_key()
        assert await store.begin("user-1", key, FP) == Proceed()
        await asyncio.sleep(0.3)
        assert await store.begin("user-1", key, FP) == Proceed()

    async def test_stored_answer_expires_after_ttl(self, open_kv: StoreFactory) -> None:
        store = IdempotencyStore(open_kv(), ttl=0.2)
        key = new_key()
        assert await store.begin("user-1", key, FP) == Proceed()
        await store.complete("user-1", key, FP, 201, {}, b"{}")
        await asyncio.sleep(0.3)
        assert await store.begin("user-1", key, FP) == Proceed()

    @pytest.mark.parametrize("key", ["", "x" * 256, "clé", "a\nb", "tab\there"])
    async def test_invalid_keys_are_refused(self, store: IdempotencyStore, key: str) -> None:
        with pytest.raises(InvalidIdempotencyKey) as raised:
            await store.begin("user-1", key, FP)
        assert raised.value.status == 422
        assert raised.value.extra["errors"][0]["field"] == "Idempotency-Key"

    async def test_longest_printable_key_is_accepted(self, store: IdempotencyStore) -> None:
        assert await store.begin("user-1", "~" * 254 + " ", FP) == Proceed()

    async def test_concurrent_begins_let_exactly_one_proceed(self, open_kv: StoreFactory) -> None:
        # Three clients of one backend, as three service processes would hold.
        stores = [IdempotencyStore(open_kv()) for _ in range(3)]
        key = new_key()

        outcomes = await asyncio.gather(
            *(stores[i % 3].begin("user-1", key, FP) for i in range(30))
        )

        assert Counter(type(o).__name__ for o in outcomes) == {"Proceed": 1, "InFlight": 29}


class TestFingerprint:
    def test_same_request_same_fingerprint(self) -> None:
        assert fingerprint("post", "/api/orders", b"{}") == fingerprint(
            "POST", "/api/orders", b"{}"
        )
        assert IdempotencyStore.fingerprint("POST", "/x", b"") == fingerprint("POST", "/x", b"")

    def test_any_difference_changes_it(self) -> None:
        prints = {
            fingerprint("POST", "/api/orders", b"{}"),
            fingerprint("PUT", "/api/orders", b"{}"),
            fingerprint("POST", "/api/payments", b"{}"),
            fingerprint("POST", "/api/orders", b"{ }"),
            # Parts are not simply concatenated: moving bytes between them is a difference.
            fingerprint("POST", "/api/orders/", b"1"),
            fingerprint("POST", "/api/orders", b"/1"),
        }
        assert len(prints) == 6
        assert all(len(p) == 64 for p in prints)


async def test_a_route_using_the_store_answers_as_api_md_says(store: IdempotencyStore) -> None:
    """What a client sees: one charge, a replay with the header, 409 in flight, 422 reused."""
    charges: list[bytes] = []
    release = asyncio.Event()
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/api/payments")
    async def pay(request: Request, idempotency_key: str = Header()) -> Response:
        body = await request.body()
        scope, fp = "user-1", fingerprint(request.method, request.url.path, body)
        replay = await store.claim(scope, idempotency_key, fp)
        if replay:
            return Response(replay.body, replay.status, {**replay.headers, REPLAYED_HEADER: "true"})
        await release.wait()
        charges.append(body)
        answer = b'{"charged": %d}' % len(charges)
        headers = {"content-type": "application/json"}
        await store.complete(scope, idempotency_key, fp, 201, headers, answer)
        return Response(answer, 201, headers)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        key = {"Idempotency-Key": new_key()}
        first = asyncio.create_task(client.post("/api/payments", content=b"a", headers=key))
        await asyncio.sleep(0.05)
        in_flight = await client.post("/api/payments", content=b"a", headers=key)
        release.set()
        done = await first
        replayed = await client.post("/api/payments", content=b"a", headers=key)
        reused = await client.post("/api/payments", content=b"b", headers=key)
        bad = await client.post("/api/payments", content=b"a", headers={"Idempotency-Key": ""})

    assert (done.status_code, done.json(), REPLAYED_HEADER in done.headers) == (
        201,
        {"charged": 1},
        False,
    )
    assert in_flight.status_code == 409
    assert in_flight.headers["content-type"] == "application/problem+json"
    assert in_flight.json()["code"] == "idempotency_in_flight"
    assert (replayed.status_code, replayed.json()) == (201, {"charged": 1})
    assert replayed.headers[REPLAYED_HEADER] == "true"
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")
    assert bad.status_code == 422
    assert charges == [b"a"]
