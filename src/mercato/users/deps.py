"""FastAPI dependencies of the users service, beside the kit's Session, KV and AppSettings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request

from mercato.kit.clients import client_address
from mercato.kit.outbox import OutboxRelay
from mercato.users.keys import SigningKey


async def get_signing_key(request: Request) -> SigningKey:
    key: SigningKey = request.app.state.signing_key
    return key


async def get_client(request: Request) -> str:
    """The caller's address, trusting `X-Forwarded-For` only from configured proxies."""
    proxies = tuple(request.app.state.settings.service_trusted_proxies)
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), proxies)


async def mail_now(request: Request, tasks: BackgroundTasks) -> Callable[[], None]:
    """Wakes the outbox relay once the answer is sent (after the commit), so an email does
    not wait for the next poll. (A coroutine: FastAPI runs plain functions and classes in
    its thread pool, which costs more than the call itself.)"""
    relay: OutboxRelay = request.app.state.outbox_relay

    def wake() -> None:
        tasks.add_task(relay.wake)

    return wake


SignKey = Annotated[SigningKey, Depends(get_signing_key)]
Client = Annotated[str, Depends(get_client)]
WakeMailer = Annotated[Callable[[], None], Depends(mail_now)]
