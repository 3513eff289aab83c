"""`create_app()`: the notifications service (:3005)."""

from __future__ import annotations

from fastapi import FastAPI

from mercato.kit.app import create_service_app
from mercato.kit.auth import KeySource
from mercato.kit.http import UpstreamClient
from mercato.kit.inbox import inbox_housekeeping
from mercato.kit.settings import Settings, get_settings
from mercato.notifications.api import event_routes, notifications
from mercato.notifications.contacts import Contacts
from mercato.notifications.delivery import NotificationSender
from mercato.notifications.events import event_handlers
from mercato.notifications.messages import Composer
from mercato.notifications.models import inbox
from mercato.notifications.transport import transport_for


def create_app(settings: Settings | None = None, *, key_source: KeySource | None = None) -> FastAPI:
    settings = settings or get_settings()
    composer = Composer(settings.web_url)
    users = UpstreamClient(
        "users",
        settings.users_url,
        timeout=settings.upstream_timeout_seconds,
        connect_timeout=settings.connect_timeout_seconds,
        service_token=settings.service_token,
    )
    # Built before the app, so a bad MERCATO_SMTP_URL stops the start, not the first email.
    transport = transport_for(settings)

    async def start_sender(app: FastAPI) -> None:
        app.state.sender.start()
        app.state.housekeeping.start()

    async def stop_sender(app: FastAPI) -> None:
        await app.state.housekeeping.stop()
        await app.state.sender.stop()
        await users.close()

    app = create_service_app(
        "notifications",
        settings,
        [notifications, event_routes(event_handlers(composer), inbox)],
        key_source=key_source,
        on_startup=[start_sender],
        on_shutdown=[stop_sender],
    )
    app.state.composer = composer
    app.state.sender = NotificationSender(
        app.state.db,
        transport,
        Contacts(users),
        max_attempts=settings.notification_max_attempts,
        retry_seconds=settings.notification_retry_seconds,
        poll_interval=settings.notification_poll_seconds,
    )
    app.state.housekeeping = inbox_housekeeping(app.state.db, inbox, service="notifications")
    return app
