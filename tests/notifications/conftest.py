"""The notifications app under test, in process, with its sender running; the real users
service it looks addresses up in; an SMTP server on an ephemeral port.

An app per test, not per session: instances of the service share the pending notifications
of the database, so an instance left running with another configuration (the mailbox instead
of this test's SMTP server) would take over this test's messages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from harness import SERVICE_TOKEN, Running, free_port, key_source, serve_service
from mercato.kit.settings import Settings
from mercato.notifications.app import create_app

from .support import CollectingHandler


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings


StartService = Callable[..., AbstractAsyncContextManager[Service]]


@pytest.fixture(scope="package")
def users_service(backend: Any) -> Iterator[Running]:
    """The real users service. Its own events (welcome emails) lead nowhere here: these tests
    deliver the events they need themselves."""
    settings = backend.settings(
        service_token=SERVICE_TOKEN, notifications_url=f"http://127.0.0.1:{free_port()}"
    )
    with serve_service("users", settings) as running:
        yield running


@pytest.fixture(scope="package")
def notifications_settings(backend: Any, users_service: Running) -> Settings:
    settings: Settings = backend.settings(
        service_token=SERVICE_TOKEN,
        users_url=users_service.url,
        # Quick retries and polls, so failing and recovering take milliseconds here.
        notification_retry_seconds=0.05,
        notification_poll_seconds=0.05,
        notification_max_attempts=4,
    )
    return settings


@pytest.fixture
def start_service(notifications_settings: Settings) -> StartService:
    """Runs an instance with `overrides` on the test's settings (an SMTP URL, say)."""

    @asynccontextmanager
    async def running(**overrides: Any) -> AsyncIterator[Service]:
        settings = notifications_settings.model_copy(update=overrides)
        app = create_app(settings, key_source=key_source())
        transport = httpx.ASGITransport(app, client=("10.5.0.1", 40000))
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=transport, base_url="http://notifications.test") as client,
        ):
            yield Service(app, client, settings)

    return running


@pytest.fixture
async def service(start_service: StartService) -> AsyncIterator[Service]:
    """An instance that writes its emails to the mailbox directory (no SMTP URL)."""
    async with start_service() as running:
        yield running


@pytest.fixture
async def client(service: Service) -> httpx.AsyncClient:
    return service.client


@pytest.fixture
def smtp() -> Iterator[tuple[str, CollectingHandler]]:
    """A real SMTP server (aiosmtpd) on a free port: its URL and what it received."""
    handler = CollectingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", handler
    finally:
        controller.stop()
