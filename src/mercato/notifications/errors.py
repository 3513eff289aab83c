"""The notifications service's failures: those a client sees (with a stable `code`), and
those of a delivery attempt, which the sender records on the notification."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mercato.kit.errors import MercatoError, NotFound, ValidationFailed, validation_errors


class NotificationNotFound(NotFound):
    code = "notification_not_found"

    def __init__(self) -> None:
        super().__init__("No such notification.")


class UserNotificationsNotFound(NotFound):
    """Another customer's notifications: 404, so a customer cannot tell whether a user exists."""

    code = "user_not_found"

    def __init__(self) -> None:
        super().__init__("No such user.")


class InvalidTemplateData(ValidationFailed):
    """422 naming every field of `data` (or of an event's payload) the template cannot use."""

    code = "invalid_template_data"

    def __init__(self, errors: Sequence[Any], prefix: str) -> None:
        listed = [
            {
                "field": f"{prefix}.{item['field']}" if item["field"] else prefix,
                "message": item["message"],
            }
            for item in validation_errors(errors)
        ]
        detail = f"The {prefix} does not fit the template."
        # ValidationFailed names one field; this names each the template needs.
        MercatoError.__init__(self, detail, extra={"errors": listed})


class DeliveryFailed(Exception):
    """An attempt failed for a reason that may pass (a server down): it is retried."""


class UndeliverableNotification(DeliveryFailed):
    """An attempt failed for a reason no retry mends (the user no longer exists)."""
