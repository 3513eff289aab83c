"""`create_app()`: the payments service (:3004)."""

from __future__ import annotations

from fastapi import FastAPI

from mercato.kit.app import create_service_app
from mercato.kit.auth import KeySource
from mercato.kit.events import HttpDelivery
from mercato.kit.http import UpstreamClient
from mercato.kit.idempotency import IdempotencyStore
from mercato.kit.outbox import OutboxRelay, outbox_housekeeping
from mercato.kit.settings import Settings, get_settings
from mercato.payments.api import internal, public
from mercato.payments.models import outbox
from mercato.payments.processor import MockCardProcessor


def create_app(settings: Settings | None = None, *, key_source: KeySource | None = None) -> FastAPI:
    settings = settings or get_settings()

    def upstream(name: str, url: str) -> UpstreamClient:
        return UpstreamClient(
            name,
            url,
            timeout=settings.upstream_timeout_seconds,
            connect_timeout=settings.connect_timeout_seconds,
            service_token=settings.service_token,
        )

    notifications = upstream("notifications", settings.notifications_url)
    orders = upstream("orders", settings.orders_url)

    async def start(app: FastAPI) -> None:
        app.state.outbox_relay.start()
        app.state.housekeeping.start()

    async def stop(app: FastAPI) -> None:
        await app.state.housekeeping.stop()
        await app.state.outbox_relay.stop()
        await notifications.close()
        await orders.close()

    app = create_service_app(
        "payments",
        settings,
        [public, internal],
        key_source=key_source,
        on_startup=[start],
        on_shutdown=[stop],
    )
    app.state.processor = MockCardProcessor(settings.payment_latency_seconds)
    app.state.orders = orders
    app.state.idempotency = IdempotencyStore(app.state.kv)
    app.state.outbox_relay = OutboxRelay(
        app.state.db,
        outbox,
        HttpDelivery("payments", {"payment.": notifications}),
        service="payments",
    )
    app.state.housekeeping = outbox_housekeeping(app.state.db, outbox, service="payments")
    return app
