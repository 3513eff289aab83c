"""The notifications service's tables: each notification with its delivery state, and the inbox
of the event ids already handled."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mercato.kit.inbox import inbox_table
from mercato.kit.types import UTCDateTime, new_id, utcnow

Channel = Literal["email", "sms", "push"]
Status = Literal["pending", "sent", "failed"]

EMAIL = "email"
PENDING = "pending"
SENT = "sent"
FAILED = "failed"


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}


metadata = Base.metadata


class Notification(Base):
    """One message to one user. `title`/`message`/`html` are rendered when it is created, so
    what was sent is what is shown; `recipient` is the address when the cause named one,
    otherwise the sender looks the user's address up at send time."""

    __tablename__ = "notifications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(16))
    template: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    recipient: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    """When the sender may try next: pushed forward by a claim's lease and by each retry."""
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        # The sender's only query: due pending notifications.
        Index("ix_notifications_status_available_at", "status", "available_at"),
        # A user's notifications, newest first; and everyone's, for admins.
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        Index("ix_notifications_created_at", "created_at"),
    )


inbox = inbox_table(metadata)
