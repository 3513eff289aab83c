"""A closed embedded store answers like an unreachable one, never with a raw sqlite3 error."""

from __future__ import annotations

from pathlib import Path

import pytest

from mercato.kit.kv import KeyValueUnavailable, SQLiteStore


async def test_every_operation_on_a_closed_store_is_unavailable(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "kv.sqlite3")
    await store.set("cart", "kept", ttl=60)
    await store.close()

    with pytest.raises(KeyValueUnavailable):
        await store.get("cart")
    with pytest.raises(KeyValueUnavailable):
        await store.get_many(["cart"])
    with pytest.raises(KeyValueUnavailable):
        await store.set("cart", "lost")
    with pytest.raises(KeyValueUnavailable):
        await store.set_if_absent("lock", "held", ttl=5)
    with pytest.raises(KeyValueUnavailable):
        await store.delete("cart")
    with pytest.raises(KeyValueUnavailable):
        await store.incr("hits", ttl=60)
    with pytest.raises(KeyValueUnavailable):
        await store.ttl("cart")
    with pytest.raises(KeyValueUnavailable):
        await store.ping()


async def test_the_data_outlives_the_closed_handle(tmp_path: Path) -> None:
    path = tmp_path / "kv.sqlite3"
    closed = SQLiteStore(path)
    await closed.set("cart", "kept", ttl=60)
    await closed.close()
    with pytest.raises(KeyValueUnavailable):
        await closed.get("cart")

    reopened = SQLiteStore(path)
    try:
        assert await reopened.get("cart") == b"kept"
    finally:
        await reopened.close()
