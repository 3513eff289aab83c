"""The products app under test, in process, with its lifespan running."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from mercato.kit.settings import Settings
from mercato.products.app import create_app

from .support import SERVICE_TOKEN, client_for, key_source


@pytest.fixture(scope="session")
def products_settings(backend: Any) -> Settings:
    settings: Settings = backend.settings(service_token=SERVICE_TOKEN)
    return settings


@pytest.fixture(scope="session")
async def products_app(products_settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(products_settings, key_source=key_source())
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def client(products_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(products_app) as http:
        yield http


@pytest.fixture
def new_app(products_settings: Settings) -> Callable[..., FastAPI]:
    """Another instance of the service on the same databases and cache."""
    return lambda **overrides: create_app(
        products_settings.model_copy(update=overrides), key_source=key_source()
    )
