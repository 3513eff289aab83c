"""`create_app()`: the users service (:3001)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mercato.kit.app import create_service_app
from mercato.kit.auth import KeySource
from mercato.kit.events import HttpDelivery
from mercato.kit.http import UpstreamClient
from mercato.kit.outbox import OutboxRelay
from mercato.kit.settings import Settings, get_settings
from mercato.users.api import auth, internal, keys, users
from mercato.users.housekeeping import Housekeeping
from mercato.users.keys import load_signing_key
from mercato.users.models import outbox


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every API answer: tokens and personal data must not be
    kept by browsers or shared caches, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", b"no-store")]
            await send(message)

        await self.app(scope, receive, send_no_store)


def create_app(settings: Settings | None = None, *, key_source: KeySource | None = None) -> FastAPI:
    """`key_source` is accepted so every service is created alike (the test harness passes
    one), and ignored: the users service verifies tokens with its own signing key only."""
    settings = settings or get_settings()
    signing_key = load_signing_key(settings)
    # The user.* events (emails to send) go to the notifications service.
    notifications = UpstreamClient(
        "notifications",
        settings.notifications_url,
        timeout=settings.upstream_timeout_seconds,
        connect_timeout=settings.connect_timeout_seconds,
        service_token=settings.service_token,
    )

    async def start_relay(app: FastAPI) -> None:
        app.state.outbox_relay.start()
        app.state.housekeeping.start()

    async def stop_relay(app: FastAPI) -> None:
        await app.state.housekeeping.stop()
        await app.state.outbox_relay.stop()
        await notifications.close()

    app = create_service_app(
        "users",
        settings,
        [auth, users, keys, internal],
        # Its own public key: the users service never fetches its JWKS over HTTP.
        key_source=KeySource({signing_key.kid: signing_key.public_key}),
        on_startup=[start_relay],
        on_shutdown=[stop_relay],
    )
    app.state.signing_key = signing_key
    app.state.outbox_relay = OutboxRelay(
        app.state.db,
        outbox,
        HttpDelivery("users", {"user.": notifications}),
        service="users",
    )
    app.state.housekeeping = Housekeeping(app.state.db)
    app.add_middleware(NoStoreMiddleware)
    return app
