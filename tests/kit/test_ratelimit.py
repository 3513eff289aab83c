"""RateLimiter: fixed windows on the store's atomic counters, on SQLite and on Redis."""

from __future__ import annotations

import asyncio

from mercato.kit.kv import (
    KeyValueStore,
    KeyValueUnavailable,
    RedisStore,
)
from mercato.kit.ratelimit import LEASE_SHARE, RateDecision, RateLimiter


async def test_headers_count_down_then_deny_with_retry_after(store: KeyValueStore) -> None:
    limiter = RateLimiter(store, "3/1m", namespace="login")

    decisions = [await limiter.hit("203.0.113.9") for _ in range(4)]

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    first = decisions[0].headers()
    assert first["RateLimit-Limit"] == "3"
    assert first["RateLimit-Remaining"] == "2"
    assert 1 <= int(first["RateLimit-Reset"]) <= 60
    assert "Retry-After" not in first
    denied = decisions[3].headers()
    assert denied["RateLimit-Remaining"] == "0"
    assert denied["Retry-After"] == denied["RateLimit-Reset"]
    assert 1 <= int(denied["Retry-After"]) <= 60


async def test_window_resets(store: KeyValueStore) -> None:
    limiter = RateLimiter(store, "2/1s", namespace="burst")
    assert [(await limiter.hit("k")).allowed for _ in range(3)] == [True, True, False]

    await asyncio.sleep(1.1)

    decision = await limiter.hit("k")
    assert decision.allowed
    assert decision.remaining == 1


async def test_keys_and_namespaces_are_counted_apart(store: KeyValueStore) -> None:
    login = RateLimiter(store, "1/1m", namespace="login")
    search = RateLimiter(store, "1/1m", namespace="search")
    assert (await login.hit("alice")).allowed
    assert not (await login.hit("alice")).allowed
    assert (await login.hit("bob")).allowed
    assert (await search.hit("alice")).allowed


async def test_exactly_the_limit_is_allowed_under_concurrency(store: KeyValueStore) -> None:
    limiter = RateLimiter(store, "100/1m", namespace="crowd")

    decisions = await asyncio.gather(*(limiter.hit("one-client") for _ in range(150)))

    assert sum(d.allowed for d in decisions) == 100
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(100))


async def test_peek_does_not_count_and_reset_clears(store: KeyValueStore) -> None:
    limiter = RateLimiter(store, "2/15m", namespace="failures")
    fresh = await limiter.peek("acct")
    assert (fresh.allowed, fresh.remaining, fresh.reset_seconds) == (True, 2, 900)

    await limiter.hit("acct")
    await limiter.hit("acct")
    blocked = await limiter.peek("acct")
    assert not blocked.allowed
    assert blocked.headers()["Retry-After"] == str(blocked.reset_seconds)
    assert 890 <= blocked.reset_seconds <= 900
    assert (await limiter.peek("acct")).remaining == 0

    await limiter.reset("acct")
    assert (await limiter.peek("acct")).allowed


class TestLeasedBlocks:
    """`lease=True`: blocks of slots taken from the shared counter and spent locally."""

    async def test_instances_sharing_a_store_never_admit_more_than_the_limit(
        self, store: KeyValueStore
    ) -> None:
        # Four limiters on one store are four gateway processes; each sees bursts of
        # parallel and sequential hits from one busy client.
        limiters = [RateLimiter(store, "600/1m", namespace="shared", lease=True) for _ in range(4)]

        async def busy(limiter: RateLimiter) -> list[RateDecision]:
            decisions = []
            for _ in range(10):
                decisions += await asyncio.gather(*(limiter.hit("client") for _ in range(15)))
                decisions += [await limiter.hit("client") for _ in range(15)]
            return decisions

        per_limiter = await asyncio.gather(*(busy(limiter) for limiter in limiters))
        allowed = [d for decisions in per_limiter for d in decisions if d.allowed]

        assert len(allowed) <= 600
        # Each admitted hit owns one count of the shared window: the headers never repeat.
        assert len({d.remaining for d in allowed}) == len(allowed)
        # Under-admission is bounded: at most a block short per instance.
        assert len(allowed) >= 600 - 4 * (600 // LEASE_SHARE)
        for decisions in per_limiter:
            assert decisions[-1].allowed is False
            assert (
                decisions[-1].headers()["Retry-After"] == decisions[-1].headers()["RateLimit-Reset"]
            )

    async def test_one_instance_counts_exactly_and_refuses_past_the_limit(
        self, store: KeyValueStore
    ) -> None:
        limiter = RateLimiter(store, "300/1m", namespace="single", lease=True)

        decisions = [await limiter.hit("client") for _ in range(320)]
        decisions += await asyncio.gather(*(limiter.hit("client") for _ in range(30)))

        assert [d.remaining for d in decisions[:300]] == list(range(299, -1, -1))
        assert not any(d.allowed for d in decisions[300:])
        assert all(d.remaining == 0 for d in decisions[300:])

    async def test_a_busy_client_leases_ahead_and_another_process_sees_it(
        self, store: KeyValueStore
    ) -> None:
        busy = RateLimiter(store, "100000/1m", namespace="ahead", lease=True)
        other = RateLimiter(store, "100000/1m", namespace="ahead")

        for _ in range(100):
            assert (await busy.hit("client")).allowed
        seen_by_other = await other.hit("client")

        # The busy process holds unspent slots: the other sees at most what is really left.
        assert seen_by_other.remaining < 100000 - 100
        assert seen_by_other.allowed

    async def test_a_small_limit_is_counted_one_slot_at_a_time(self, store: KeyValueStore) -> None:
        first = RateLimiter(store, "10/1m", namespace="small", lease=True)
        second = RateLimiter(store, "10/1m", namespace="small", lease=True)

        decisions = []
        for _ in range(6):
            decisions += [await first.hit("client"), await second.hit("client")]

        # Nothing is lost to leases far below LEASE_SHARE slots of headroom.
        assert [d.allowed for d in decisions] == [True] * 10 + [False] * 2

    async def test_the_window_resets_for_a_leasing_instance(self, store: KeyValueStore) -> None:
        limiter = RateLimiter(store, "3/1s", namespace="leased-burst", lease=True)
        assert [(await limiter.hit("k")).allowed for _ in range(4)] == [True, True, True, False]

        await asyncio.sleep(1.1)

        assert (await limiter.hit("k")).remaining == 2


async def test_a_store_outage_reaches_every_waiting_caller() -> None:
    store = RedisStore("redis://127.0.0.1:1/0")
    limiter = RateLimiter(store, "100/1m", namespace="down", lease=True)

    results = await asyncio.gather(
        *(limiter.hit("client") for _ in range(20)), return_exceptions=True
    )

    assert all(isinstance(result, KeyValueUnavailable) for result in results)
    await store.close()
