"""The orders service under test with the real services it calls, each in its own server:
products (stock), payments (charges), notifications (the emails of order events) and users
(whom notifications asks for a shopper's address; in the stack so that no service ever falls
back on a fixed port)."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from harness import SERVICE_TOKEN, Stack, serve_stack
from mercato.kit.settings import Settings


def _installed(name: str) -> bool:
    return importlib.util.find_spec(f"mercato.{name}.app") is not None


STACK = [
    name
    for name in ("users", "products", "payments", "notifications", "orders")
    if _installed(name)
]


@pytest.fixture(scope="session")
def orders_settings(backend: Any) -> Settings:
    settings: Settings = backend.settings(
        service_token=SERVICE_TOKEN,
        payment_latency_seconds=0,
        saga_recovery_seconds=0.2,
        catalog_cache_lease_seconds=0,
    )
    return settings


@pytest.fixture(scope="session")
def stack(orders_settings: Settings) -> Iterator[Stack]:
    with serve_stack(orders_settings, STACK) as running:
        yield running


@pytest.fixture
async def orders(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.url("orders"), timeout=30) as client:
        yield client


@pytest.fixture
async def products(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.url("products"), timeout=30) as client:
        yield client


@pytest.fixture
async def payments(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.url("payments"), timeout=30) as client:
        yield client
