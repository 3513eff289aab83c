"""The catalog cache: answers kept as ready bytes, never served once the data has changed.

Every cached answer belongs to a *scope*: `catalog` (list pages, counts, the category list) or
`product:<id>` (one product's page). A scope has a *generation*, a random token in the key-value
store; answers are stored under the generation that was current when their data was read, and
a write replaces the generations of what it changed once its transaction has committed. So a
read that starts after a write has answered finds a new generation and misses: never the old
value, on any instance. An answer cached from data read just before the commit lands under the
old generation, which nobody asks for any more. Tokens are random, not counters, so a store
that lost its keys (a restart, an eviction) can never bring an old generation back.

An instance may keep using a generation it has read for a short *lease* (25 ms by default),
counted from before the read was sent; a write, once it has renewed the generations, waits out
one lease before it answers. So when the write's answer arrives, every lease taken on an old
generation has run out, on every instance: the guarantee holds, and reads within a lease cost
no round trip to the store at all (the way Spanner's commit wait trades a short wait on writes
for reads that need no coordination).

Generations are read in batches: while one read of the store is on its way, the requests that
arrive wait for the next one, which then fetches every generation they need in one round trip
(MGET). A request is only ever answered by a read sent after it arrived, so batching keeps the
guarantee above, and under load it spares most round trips to the store.

Two levels: a small in-process LRU of bytes per (scope, generation, key), which spares moving
the bytes from the store, and the shared store itself (Redis in production). Both are looked
up only after the generation has been read from the store, so they are valid across
instances. When the store cannot be reached the cache steps aside and the database answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

import structlog

from mercato.kit.kv import KeyValueStore, KeyValueUnavailable
from mercato.products.metrics import CACHE_LOOKUPS

log = structlog.get_logger("mercato.products.cache")
_HIT, _MISS, _BYPASS = (CACHE_LOOKUPS.labels(r) for r in ("hit", "miss", "bypass"))

CATALOG = "catalog"
# A generation that lapses is replaced by a new random one: its answers are just not found
# any more. The TTL only keeps untouched products' generations from piling up in the store.
GENERATION_TTL = 86400.0
MAX_LEASES = 4096


def product_scope(product_id: str) -> str:
    return f"product:{product_id}"


@dataclass(frozen=True, slots=True)
class Slot:
    """Where an answer to one request is (or will be) kept."""

    scope: str
    generation: str
    key: str


class CatalogCache:
    def __init__(
        self,
        kv: KeyValueStore,
        *,
        enabled: bool = True,
        ttl_seconds: float = 300.0,
        lease_seconds: float = 0.025,
        local_entries: int = 512,
    ) -> None:
        self.kv = kv
        self.enabled = enabled
        self.ttl = ttl_seconds
        self.lease = lease_seconds
        self.local_entries = local_entries
        self._known: dict[str, tuple[str, float]] = {}
        self._local: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._waiting: dict[str, asyncio.Future[str]] = {}
        self._fetching: asyncio.Task[None] | None = None

    async def lookup(self, scope: str, key: str) -> tuple[bytes | None, Slot | None]:
        """The cached answer, if any, and the slot to keep a fresh one in. `(None, None)`
        when the cache is off or out of reach: then nothing may be stored either."""
        if not self.enabled:
            _BYPASS.inc()
            return None, None
        try:
            known = self._known.get(scope)
            if known is not None and known[1] > asyncio.get_running_loop().time():
                generation = known[0]  # leased: no round trip (the hot path)
            else:
                generation = await self._generation(scope)
            slot = Slot(scope, generation, _digest(key))
            local = self._local.get((scope, generation, slot.key))
            if local is not None:
                self._local.move_to_end((scope, generation, slot.key))
                _HIT.inc()
                return local, slot
            body = await self.kv.get(_entry_key(slot))
        except KeyValueUnavailable:
            _BYPASS.inc()
            return None, None
        if body is not None:
            self._remember(slot, body)
        (_HIT if body is not None else _MISS).inc()
        return body, slot

    async def store(self, slot: Slot, body: bytes) -> None:
        self._remember(slot, body)
        with contextlib.suppress(KeyValueUnavailable):
            await self.kv.set(_entry_key(slot), body, ttl=self.ttl)

    async def invalidate(
        self, product_ids: Iterable[str] = (), *, catalog: bool = True, settle: bool = True
    ) -> None:
        """New generations for what a write changed. With `settle`, returns only once every
        lease on the old generations has run out (call it after the commit, before answering)."""
        scopes = [product_scope(p) for p in sorted(set(product_ids))]
        if catalog:
            scopes.append(CATALOG)
        if not scopes:
            return
        try:
            await asyncio.gather(
                *(self.kv.set(_generation_key(s), _token(), ttl=GENERATION_TTL) for s in scopes)
            )
        except KeyValueUnavailable:
            # The committed write stands. Readers that cannot reach the store skip the cache
            # once their lease runs out; see docs/operations.md for the rest.
            log.warning("cache_invalidation_failed", scopes=scopes)
        for scope in scopes:
            self._known.pop(scope, None)
        if settle and self.lease > 0:
            await asyncio.sleep(self.lease)

    async def _generation(self, scope: str) -> str:
        """The scope's generation, read from the store in the next batch."""
        future = self._waiting.get(scope)
        if future is None:
            future = self._waiting[scope] = asyncio.get_running_loop().create_future()
        if self._fetching is None:
            self._fetching = asyncio.create_task(self._fetch_generations())
        return await asyncio.shield(future)

    async def _fetch_generations(self) -> None:
        """Reads the generations waited for, round after round, until nobody waits."""
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, {}
                sent = asyncio.get_running_loop().time()
                try:
                    found = await self._read_generations(list(batch))
                except Exception as error:  # every waiter of this round gets it
                    for future in batch.values():
                        if not future.done():
                            future.set_exception(error)
                    continue
                self._lease(found, until=sent + self.lease)
                for scope, future in batch.items():
                    if not future.done():
                        future.set_result(found[scope])
        finally:
            self._fetching = None

    async def _read_generations(self, scopes: list[str]) -> dict[str, str]:
        keys = [_generation_key(scope) for scope in scopes]
        values = await self.kv.get_many(keys)
        found: dict[str, str] = {}
        for scope, key, value in zip(scopes, keys, values, strict=True):
            if value is None:  # a new scope, or the store lost it: start a generation
                await self.kv.set_if_absent(key, _token(), ttl=GENERATION_TTL)
                value = await self.kv.get(key)
            # Still none (evicted at once): a token nobody else has, so nothing is shared.
            found[scope] = value.decode() if value is not None else _token()
        return found

    def _lease(self, found: dict[str, str], until: float) -> None:
        if self.lease <= 0:
            return
        if len(self._known) > MAX_LEASES:
            now = asyncio.get_running_loop().time()
            self._known = {s: known for s, known in self._known.items() if known[1] > now}
        for scope, generation in found.items():
            self._known[scope] = (generation, until)

    def _remember(self, slot: Slot, body: bytes) -> None:
        entry = (slot.scope, slot.generation, slot.key)
        self._local[entry] = body
        self._local.move_to_end(entry)
        while len(self._local) > self.local_entries:
            self._local.popitem(last=False)


def _token() -> str:
    return uuid.uuid4().hex


def _digest(key: str) -> str:
    return hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def _generation_key(scope: str) -> str:
    return f"catalog-cache:gen:{scope}"


def _entry_key(slot: Slot) -> str:
    return f"catalog-cache:entry:{slot.scope}:{slot.generation}:{slot.key}"
