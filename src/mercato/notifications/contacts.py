"""Who a user is, to mail them: their address and name from the users service
(`GET /internal/users/{id}`, with the service credential), for events that carry no address."""

from __future__ import annotations

from dataclasses import dataclass

from mercato.kit.http import UpstreamClient
from mercato.notifications.errors import DeliveryFailed, UndeliverableNotification


@dataclass(frozen=True)
class Contact:
    email: str
    name: str


class Contacts:
    def __init__(self, users: UpstreamClient) -> None:
        self.users = users

    async def lookup(self, user_id: str) -> Contact:
        """The user's contact details. Raises `UndeliverableNotification` for a user the users
        service does not know, `DeliveryFailed` (or the client's 503/504) when it cannot say."""
        response = await self.users.request("GET", f"/internal/users/{user_id}")
        if response.status == 404:
            raise UndeliverableNotification(f"the users service knows no user {user_id}")
        if not 200 <= response.status < 300:
            raise DeliveryFailed(f"the users service answered {response.status}")
        body = response.json()
        return Contact(email=str(body["email"]), name=str(body["name"]))
