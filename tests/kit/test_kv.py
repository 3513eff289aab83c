"""The key-value store, on the embedded SQLite file and on Redis: same semantics on both."""

from __future__ import annotations

import asyncio
import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from mercato.kit.kv import (
    KeyValueStore,
    KeyValueUnavailable,
    RedisStore,
    SQLiteStore,
    open_store,
)

SHORT_TTL = 0.3


class TestValues:
    async def test_get_set_and_overwrite(self, store: KeyValueStore) -> None:
        assert await store.get("absent") is None
        await store.set("greeting", "hello")
        assert await store.get("greeting") == b"hello"
        await store.set("greeting", b"\x00binary\xff")
        assert await store.get("greeting") == b"\x00binary\xff"

    async def test_ttl_expiry(self, store: KeyValueStore) -> None:
        await store.set("short", "lived", ttl=SHORT_TTL)
        await store.set("forever", "here")
        left = await store.ttl("short")
        assert left is not None
        assert 0 < left <= SHORT_TTL
        assert await store.ttl("forever") is None
        assert await store.ttl("absent") is None

        await asyncio.sleep(SHORT_TTL + 0.1)

        assert await store.get("short") is None
        assert await store.ttl("short") is None
        assert await store.get("forever") == b"here"

    async def test_set_without_ttl_clears_a_previous_ttl(self, store: KeyValueStore) -> None:
        await store.set("key", "a", ttl=SHORT_TTL)
        await store.set("key", "b")
        await asyncio.sleep(SHORT_TTL + 0.1)
        assert await store.get("key") == b"b"

    async def test_set_if_absent(self, store: KeyValueStore) -> None:
        assert await store.set_if_absent("lock", "first", ttl=SHORT_TTL) is True
        assert await store.set_if_absent("lock", "second", ttl=SHORT_TTL) is False
        assert await store.get("lock") == b"first"

        await asyncio.sleep(SHORT_TTL + 0.1)

        assert await store.set_if_absent("lock", "third") is True
        assert await store.get("lock") == b"third"

    async def test_set_if_absent_races_have_one_winner(self, store: KeyValueStore) -> None:
        wins = await asyncio.gather(*(store.set_if_absent("once", str(i)) for i in range(50)))
        assert wins.count(True) == 1

    async def test_delete(self, store: KeyValueStore) -> None:
        await store.set("a", "1")
        await store.set("b", "2")
        assert await store.delete("a", "b", "never-set") == 2
        assert await store.get("a") is None
        assert await store.delete() == 0

    async def test_get_many(self, store: KeyValueStore) -> None:
        await store.set("x", "1")
        await store.set("z", "3", ttl=SHORT_TTL)
        assert await store.get_many(["x", "y", "z"]) == [b"1", None, b"3"]
        assert await store.get_many([]) == []
        await asyncio.sleep(SHORT_TTL + 0.1)
        assert await store.get_many(["x", "z"]) == [b"1", None]

    async def test_ping(self, store: KeyValueStore) -> None:
        await store.ping()


class TestCounters:
    async def test_incr_counts_and_resets_after_its_window(self, store: KeyValueStore) -> None:
        first, left = await store.incr("hits", SHORT_TTL)
        second, _ = await store.incr("hits", SHORT_TTL)
        assert (first, second) == (1, 2)
        assert 0 < left <= SHORT_TTL
        ttl = await store.ttl("hits")
        assert ttl is not None
        assert ttl <= SHORT_TTL

        await asyncio.sleep(SHORT_TTL + 0.1)

        count, left = await store.incr("hits", SHORT_TTL)
        assert count == 1
        assert left == pytest.approx(SHORT_TTL, abs=0.05)

    async def test_window_is_not_extended_by_later_hits(self, store: KeyValueStore) -> None:
        await store.incr("fixed", 1.0)
        await asyncio.sleep(0.3)
        _, left = await store.incr("fixed", 1.0)
        assert left <= 0.75

    async def test_counter_reads_back_as_its_decimal_text(self, store: KeyValueStore) -> None:
        for _ in range(3):
            await store.incr("count", 60)
        assert await store.get("count") == b"3"
        assert await store.get_many(["count"]) == [b"3"]

    async def test_incr_on_a_value_without_ttl_starts_the_window(
        self, store: KeyValueStore
    ) -> None:
        await store.set("preset", "5")
        count, left = await store.incr("preset", 60)
        assert count == 6
        assert 0 < left <= 60
        ttl = await store.ttl("preset")
        assert ttl is not None
        assert 0 < ttl <= 60

    async def test_incr_by_an_amount_owns_that_many_counts(self, store: KeyValueStore) -> None:
        assert (await store.incr("block", 60, 5))[0] == 5
        assert (await store.incr("block", 60))[0] == 6
        results = await asyncio.gather(*(store.incr("blocks", 60, 3) for _ in range(50)))
        assert sorted(count for count, _ in results) == list(range(3, 151, 3))
        ttl = await store.ttl("blocks")
        assert ttl is not None
        assert 0 < ttl <= 60

    async def test_concurrent_tasks_see_every_count_once(self, store: KeyValueStore) -> None:
        results = await asyncio.gather(*(store.incr("race", 60) for _ in range(300)))
        assert sorted(count for count, _ in results) == list(range(1, 301))


def _increment_in_process(path: str, times: int, start: Barrier, results: Any) -> None:
    """Runs in a spawned process: its own SQLiteStore on the shared file."""

    async def run() -> list[int]:
        store = SQLiteStore(Path(path))
        counts = []
        start.wait()
        for _ in range(times):
            count, _ = await store.incr("shared-counter", 600)
            counts.append(count)
        await store.close()
        return counts

    results.put(asyncio.run(run()))


def test_sqlite_counter_is_atomic_across_processes(tmp_path: Path) -> None:
    processes, times = 3, 150
    path = tmp_path / "shared.sqlite3"
    SQLiteStore(path)  # create the schema once, so the workers race only on the counter
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(target=_increment_in_process, args=(str(path), times, start, results))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    counts = [count for _ in workers for count in results.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=10)
        assert worker.exitcode == 0

    assert sorted(counts) == list(range(1, processes * times + 1))


async def test_unreachable_redis_raises_key_value_unavailable() -> None:
    store = RedisStore("redis://127.0.0.1:1/0")
    with pytest.raises(KeyValueUnavailable):
        await store.get("anything")
    with pytest.raises(KeyValueUnavailable):
        await store.incr("anything", 1)
    with pytest.raises(KeyValueUnavailable):
        await store.ping()
    await store.close()


async def test_open_store_picks_the_embedded_store_and_prefixes(tmp_path: Path) -> None:
    store = open_store(None, tmp_path, prefix="deploy-a:")
    other = open_store(None, tmp_path, prefix="deploy-b:")
    await store.set("k", "a")
    await other.set("k", "b")
    assert (await store.get("k"), await other.get("k")) == (b"a", b"b")
    assert (tmp_path / "kv.sqlite3").exists()
    await store.close()
    await other.close()
