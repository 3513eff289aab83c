"""FastAPI dependencies shared by services: the request's session and the app's stores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.db import Database
from mercato.kit.kv import KeyValueStore
from mercato.kit.settings import Settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.db
    # aclosing: when the handler raises, the unit of work rolls back (and lets go of its
    # connection and SQLite's write lock) now, not whenever the generator is collected.
    async with aclosing(database.session()) as sessions:
        async for session in sessions:
            yield session


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.db
    async with aclosing(database.read_session()) as sessions:
        async for session in sessions:
            yield session


async def get_kv(request: Request) -> KeyValueStore:
    store: KeyValueStore = request.app.state.kv
    return store


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# scope="function": commit before the answer is sent, so a client never sees a success
# whose transaction then failed.
Session = Annotated[AsyncSession, Depends(get_session, scope="function")]
# For handlers that only read (never write in it: see Database.read_session). On SQLite it
# takes no write lock, so reads never queue behind writers. Released before the answer.
ReadSession = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
KV = Annotated[KeyValueStore, Depends(get_kv)]
AppSettings = Annotated[Settings, Depends(get_settings_dep)]
