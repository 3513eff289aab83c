"""FastAPI dependencies of the notifications service, beside the kit's Session and auth."""

from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request

from mercato.notifications.delivery import NotificationSender
from mercato.notifications.messages import Composer


async def get_composer(request: Request) -> Composer:
    composer: Composer = request.app.state.composer
    return composer


async def wake_sender(request: Request, tasks: BackgroundTasks) -> None:
    """Wakes the sender once the answer is sent, which is after the request's commit, so a
    new email goes out at once instead of at the next poll."""
    sender: NotificationSender = request.app.state.sender
    tasks.add_task(sender.wake)


TemplateComposer = Annotated[Composer, Depends(get_composer)]
WakeSender = Depends(wake_sender)
