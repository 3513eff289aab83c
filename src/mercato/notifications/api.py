"""HTTP routes of the notifications service: parse, call one use case, answer a schema."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Path, status
from sqlalchemy import Table

from mercato.kit.auth import AdminPrincipal, CurrentPrincipal
from mercato.kit.deps import ReadSession, Session
from mercato.kit.events import Handler, event_receiver
from mercato.kit.pagination import PageLimit, PageNumber
from mercato.notifications import service
from mercato.notifications.deps import TemplateComposer, WakeSender
from mercato.notifications.models import Notification
from mercato.notifications.schemas import NotificationCreate, NotificationOut, NotificationPage

notifications = APIRouter(prefix="/api/notifications", tags=["notifications"])

NotificationId = Annotated[uuid.UUID, Path()]
UserId = Annotated[uuid.UUID, Path()]


def _page(found: Sequence[Notification], total: int, page: int, limit: int) -> NotificationPage:
    items = [NotificationOut.model_validate(n) for n in found]
    return NotificationPage.of(items, total, page, limit)


@notifications.post("", status_code=status.HTTP_202_ACCEPTED, dependencies=[WakeSender])
async def send_notification(
    body: NotificationCreate, _: AdminPrincipal, session: Session, composer: TemplateComposer
) -> NotificationOut:
    notification = await service.send_from_admin(session, composer, body)
    return NotificationOut.model_validate(notification)


@notifications.get("")
async def list_notifications(
    principal: CurrentPrincipal, session: ReadSession, page: PageNumber = 1, limit: PageLimit = 20
) -> NotificationPage:
    found, total = await service.notifications_page(session, principal, page, limit)
    return _page(found, total, page, limit)


@notifications.get("/user/{user_id}")
async def list_user_notifications(
    user_id: UserId,
    principal: CurrentPrincipal,
    session: ReadSession,
    page: PageNumber = 1,
    limit: PageLimit = 20,
) -> NotificationPage:
    found, total = await service.notifications_of_user(
        session, principal, str(user_id), page, limit
    )
    return _page(found, total, page, limit)


@notifications.get("/{notification_id}")
async def read_notification(
    notification_id: NotificationId, principal: CurrentPrincipal, session: ReadSession
) -> NotificationOut:
    notification = await service.visible_notification(session, principal, str(notification_id))
    return NotificationOut.model_validate(notification)


def event_routes(handlers: dict[str, Handler], inbox: Table) -> APIRouter:
    """`POST /internal/events` (kit.events), waking the sender after each event's commit."""
    router = APIRouter(dependencies=[WakeSender])
    router.include_router(event_receiver(handlers, inbox))
    return router
