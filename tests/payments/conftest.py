"""The payments app under test, in process, with its lifespan (and its outbox relay) running.

No orders or notifications service runs here: their URLs point at ports nothing listens on,
so a payment through the orders service answers 503 and refund receipts wait in the outbox.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from harness import SERVICE_TOKEN, free_port, key_source
from mercato.kit.settings import Settings
from mercato.payments.app import create_app

from .support import client_for


@pytest.fixture(scope="session")
def payments_settings(backend: Any) -> Settings:
    settings: Settings = backend.settings(
        service_token=SERVICE_TOKEN,
        payment_latency_seconds=0,
        orders_url=f"http://127.0.0.1:{free_port()}",
        notifications_url=f"http://127.0.0.1:{free_port()}",
    )
    return settings


@pytest.fixture(scope="session")
async def payments_app(payments_settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(payments_settings, key_source=key_source())
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def client(payments_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(payments_app) as http:
        yield http


@pytest.fixture
def new_app(payments_settings: Settings) -> Callable[..., FastAPI]:
    """Another instance of the service on the same database (settings may be overridden)."""
    return lambda **overrides: create_app(
        payments_settings.model_copy(update=overrides), key_source=key_source()
    )
