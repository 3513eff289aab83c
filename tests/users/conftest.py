"""The users app under test, in process, with its lifespan (and so its outbox relay) running."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from mercato.kit.settings import Settings
from mercato.users.app import create_app

from .support import client_for


@pytest.fixture(scope="session")
def users_settings(backend: Any) -> Settings:
    settings: Settings = backend.settings()
    return settings


@pytest.fixture(scope="session")
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
