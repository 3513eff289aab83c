"""The business of notifications: recording one (rendered, or failed at once where no
provider exists) and who may read which."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal
from mercato.kit.errors import ValidationFailed
from mercato.notifications.errors import NotificationNotFound, UserNotificationsNotFound
from mercato.notifications.messages import Composer, Rendered
from mercato.notifications.metrics import NOTIFICATIONS_CREATED, NOTIFICATIONS_FAILED
from mercato.notifications.models import EMAIL, FAILED, PENDING, Notification
from mercato.notifications.repository import NotificationRepository
from mercato.notifications.schemas import NotificationCreate

# Channels that have no provider yet (API.md): recorded, and failed with this reason.
NO_PROVIDER = {
    "sms": "no SMS provider is configured",
    "push": "no push provider is configured",
}


async def record(
    session: AsyncSession,
    *,
    user_id: str,
    channel: str,
    rendered: Rendered,
    template: str | None,
    data: Mapping[str, Any],
    recipient: str | None = None,
) -> Notification:
    """A new notification: pending for the sender when it can be sent, else failed now."""
    reason = NO_PROVIDER.get(channel)
    notification = await NotificationRepository(session).add(
        Notification(
            user_id=user_id,
            type=channel,
            template=template,
            title=rendered.title,
            message=rendered.text,
            html=rendered.html if channel == EMAIL else None,
            data=dict(data),
            recipient=recipient,
            status=FAILED if reason else PENDING,
            attempts=0,
            last_error=reason,
        )
    )
    NOTIFICATIONS_CREATED.labels(channel).inc()
    if reason:
        NOTIFICATIONS_FAILED.labels(channel).inc()
    return notification


async def send_from_admin(
    session: AsyncSession, composer: Composer, body: NotificationCreate
) -> Notification:
    """An admin's notification: free words (`title` + `message`) or a template and its data.
    The recipient of an email is the user's own address, looked up when it is sent."""
    if body.template is None:
        if body.data is not None:
            raise ValidationFailed("data", "Data is only used with a template.")
        if body.title is None:
            raise ValidationFailed("title", "A title is required when no template is given.")
        if body.message is None:
            raise ValidationFailed("message", "A message is required when no template is given.")
        rendered = composer.free_form(body.title, body.message)
        data: Mapping[str, Any] = {}
    else:
        for field in ("title", "message"):
            if getattr(body, field) is not None:
                raise ValidationFailed(
                    field, "Give either a template and its data, or a title and a message."
                )
        data = body.data or {}
        rendered = composer.compose(
            body.template, composer.validate(body.template, data, field="data")
        )
    return await record(
        session,
        user_id=str(body.user_id),
        channel=body.type,
        rendered=rendered,
        template=body.template,
        data=data,
    )


async def visible_notification(
    session: AsyncSession, principal: Principal, notification_id: str
) -> Notification:
    """The notification, if the caller owns it or is an admin; 404 alike otherwise."""
    notification = await NotificationRepository(session).get(notification_id)
    if notification is None or not (
        principal.is_admin or notification.user_id == principal.user_id
    ):
        raise NotificationNotFound()
    return notification


async def notifications_page(
    session: AsyncSession, principal: Principal, page: int, limit: int
) -> tuple[Sequence[Notification], int]:
    """The caller's notifications; an admin's page holds everyone's."""
    owner = None if principal.is_admin else principal.user_id
    return await NotificationRepository(session).page(owner, page, limit)


async def notifications_of_user(
    session: AsyncSession, principal: Principal, user_id: str, page: int, limit: int
) -> tuple[Sequence[Notification], int]:
    """One user's notifications, for that user or an admin; another customer gets 404."""
    if not principal.is_admin and principal.user_id != user_id:
        raise UserNotificationsNotFound()
    return await NotificationRepository(session).page(user_id, page, limit)
