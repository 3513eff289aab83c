"""The users app under test, in process, with its lifespan (and so its outbox relay) running,
and the real notifications service its emails go through, served on an ephemeral port.

Package-scoped: a notifications sender configured for these tests must not outlive them and
take over the messages of tests that run the service differently (tests/notifications).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from harness import SERVICE_TOKEN, Running, free_port, serve_service
from mercato.kit.settings import Settings
from mercato.users.app import create_app

from .support import client_for


@pytest.fixture(scope="package")
def notifications_service(backend: Any) -> Iterator[Running]:
    """Sends to the mailbox directory of the run (`settings.mailbox_dir`). The user.* events
    carry their address, so it never needs to look a user up: its users URL leads nowhere."""
    settings = backend.settings(
        service_token=SERVICE_TOKEN, users_url=f"http://127.0.0.1:{free_port()}"
    )
    with serve_service("notifications", settings) as running:
        yield running


@pytest.fixture(scope="package")
def users_settings(backend: Any, notifications_service: Running) -> Settings:
    settings: Settings = backend.settings(
        service_token=SERVICE_TOKEN, notifications_url=notifications_service.url
    )
    return settings


@pytest.fixture(scope="package")
async def users_app(users_settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(users_settings)
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def client(users_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(users_app) as http:
        yield http


@pytest.fixture
def new_client(users_app: FastAPI) -> Callable[..., httpx.AsyncClient]:
    return lambda address=None: client_for(users_app, address)
