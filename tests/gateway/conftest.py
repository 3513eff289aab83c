"""Fixtures: a real upstream, and real gateways under uvicorn pointed at it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from gateway.servers import Upstream, upstream_app
from harness import Running, free_port, serve
from mercato.gateway.app import create_app
from mercato.kit.settings import Settings

GatewayFactory = Callable[..., Any]


@pytest.fixture(scope="module")
def upstream() -> Iterator[tuple[Upstream, Running]]:
    state = Upstream()
    with serve(upstream_app(state)) as running:
        yield state, running


@pytest.fixture(scope="module")
def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def gateway_settings(
    backend: Any,  # the session's `Backend` (tests/conftest.py)
    upstream: tuple[Upstream, Running],
    dead_url: str,
) -> Callable[..., Settings]:
    """Settings for a gateway whose users and products are the test upstream, the rest not
    running, with a key prefix of its own so its rate-limit counters start at zero."""
    _, running = upstream

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "users_url": running.url,
            "products_url": running.url,
            "orders_url": dead_url,
            "payments_url": dead_url,
            "notifications_url": dead_url,
            "rate_limit": "100000/15m",
            "auth_rate_limit": "100000/15m",
            "gateway_services": ["users", "products"],
            # Generous: test servers share one process and a busy machine; the timeout tests
            # set their own small values.
            "upstream_timeout_seconds": 5.0,
            "connect_timeout_seconds": 2.0,
            "kv_prefix": f"{backend.kv_prefix}gw-{uuid.uuid4().hex[:8]}:",
        }
        values.update(overrides)
        return backend.settings(**values)

    return make


@pytest.fixture
def start_gateway(gateway_settings: Callable[..., Settings]) -> Iterator[GatewayFactory]:
    """`start_gateway(**settings)` -> the base URL of a gateway running under uvicorn."""
    with ExitStack() as stack:

        def start(**overrides: Any) -> str:
            running = stack.enter_context(serve(create_app(gateway_settings(**overrides))))
            return running.url

        yield start


@pytest.fixture(scope="module")
def gateway(gateway_settings: Callable[..., Settings]) -> Iterator[str]:
    """One gateway shared by a module's tests that need no settings of their own."""
    with serve(create_app(gateway_settings())) as running:
        yield running.url
