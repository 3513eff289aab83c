"""The notifications service's part of API.md: request and answer bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mercato.kit.pagination import Page
from mercato.kit.schemas import RequestModel
from mercato.notifications.messages import TemplateName
from mercato.notifications.models import Channel, Status


class NotificationCreate(RequestModel):
    """Either `title` + `message`, or `template` + `data` (API.md)."""

    user_id: uuid.UUID
    type: Channel
    title: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
        | None
    ) = None
    message: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
        | None
    ) = None
    template: TemplateName | None = None
    data: Annotated[dict[str, Any], Field(max_length=100)] | None = None


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    user_id: str
    type: Channel
    template: str | None
    title: str
    message: str
    status: Status
    attempts: int
    sent_at: datetime | None
    created_at: datetime
    last_error: str | None
    """Why the last attempt failed (or why it was never tried); None once sent."""


NotificationPage = Page[NotificationOut]
