"""FastAPI dependencies of the payments service, beside the kit's Session, ReadSession, KV."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from mercato.kit.db import Database
from mercato.kit.http import UpstreamClient
from mercato.kit.idempotency import HEADER, IdempotencyStore
from mercato.payments.processor import MockCardProcessor


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


async def get_processor(request: Request) -> MockCardProcessor:
    processor: MockCardProcessor = request.app.state.processor
    return processor


async def get_orders(request: Request) -> UpstreamClient:
    orders: UpstreamClient = request.app.state.orders
    return orders


async def get_idempotency(request: Request) -> IdempotencyStore:
    store: IdempotencyStore = request.app.state.idempotency
    return store


Db = Annotated[Database, Depends(get_database)]
Processor = Annotated[MockCardProcessor, Depends(get_processor)]
Orders = Annotated[UpstreamClient, Depends(get_orders)]
Idempotency = Annotated[IdempotencyStore, Depends(get_idempotency)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=255,
        description="Makes the request safe to repeat: the first answer is replayed.",
    ),
]
