"""`create_app()`: the orders service (:3003), which orchestrates the checkout saga."""

from __future__ import annotations

from fastapi import FastAPI

from mercato.kit.app import create_service_app
from mercato.kit.auth import KeySource
from mercato.kit.events import HttpDelivery
from mercato.kit.http import UpstreamClient
from mercato.kit.outbox import OutboxRelay, outbox_housekeeping
from mercato.kit.settings import Settings, get_settings
from mercato.orders.api import internal, orders
from mercato.orders.cancellation import Cancellations
from mercato.orders.checkout import Checkout
from mercato.orders.models import outbox
from mercato.orders.recovery import Recovery
from mercato.orders.upstreams import Upstreams


def create_app(settings: Settings | None = None, *, key_source: KeySource | None = None) -> FastAPI:
    settings = settings or get_settings()

    async def start(app: FastAPI) -> None:
        app.state.outbox_relay.start()
        app.state.recovery.start()
        app.state.housekeeping.start()

    async def stop(app: FastAPI) -> None:
        await app.state.housekeeping.stop()
        await app.state.recovery.stop()
        await app.state.outbox_relay.stop()
        await app.state.upstreams.close()
        await app.state.notifications.close()

    app = create_service_app(
        "orders",
        settings,
        [orders, internal],
        key_source=key_source,
        on_startup=[start],
        on_shutdown=[stop],
    )
    database = app.state.db
    upstreams = Upstreams(settings)
    cancellations = Cancellations(database, upstreams, settings)
    checkout = Checkout(database, upstreams, cancellations, settings)
    notifications = UpstreamClient(
        "notifications",
        settings.notifications_url,
        timeout=settings.upstream_timeout_seconds,
        connect_timeout=settings.connect_timeout_seconds,
        service_token=settings.service_token,
    )
    app.state.upstreams = upstreams
    app.state.notifications = notifications
    app.state.cancellations = cancellations
    app.state.checkout = checkout
    app.state.recovery = Recovery(
        database,
        checkout,
        cancellations,
        interval=settings.saga_recovery_seconds,
        lease=settings.saga_lease_seconds,
    )
    app.state.outbox_relay = OutboxRelay(
        database, outbox, HttpDelivery("orders", {"order.": notifications}), service="orders"
    )
    app.state.housekeeping = outbox_housekeeping(database, outbox, service="orders")
    return app
