"""FastAPI dependencies of the users service, beside the kit's Session, KV and AppSettings."""

from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request

from mercato.kit.clients import client_address
from mercato.kit.outbox import OutboxRelay
from mercato.users.keys import SigningKey


def get_signing_key(request: Request) -> SigningKey:
    key: SigningKey = request.app.state.signing_key
    return key


def get_client(request: Request) -> str:
    """The caller's address, trusting `X-Forwarded-For` only from configured proxies."""
    proxies = tuple(request.app.state.settings.service_trusted_proxies)
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), proxies)


class MailNow:
    """Wakes the outbox relay once the answer is sent (after the commit), so an email does
    not wait for the next poll."""

    def __init__(self, request: Request, tasks: BackgroundTasks) -> None:
        self.relay: OutboxRelay = request.app.state.outbox_relay
        self.tasks = tasks

    def __call__(self) -> None:
        self.tasks.add_task(self.relay.wake)


SignKey = Annotated[SigningKey, Depends(get_signing_key)]
Client = Annotated[str, Depends(get_client)]
WakeMailer = Annotated[MailNow, Depends()]
