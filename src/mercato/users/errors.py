"""The users service's failures, each with a stable `code` clients can branch on."""

from __future__ import annotations

from mercato.kit.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)


class InvalidCredentials(Unauthorized):
    code = "invalid_credentials"

    def __init__(self) -> None:
        # One message whether the email exists or not: no account enumeration.
        super().__init__("The email or password is incorrect.")


class AccountSuspended(Forbidden):
    code = "account_suspended"

    def __init__(self) -> None:
        super().__init__("This account is suspended.")


class InactiveAccount(Unauthorized):
    """A token whose account was suspended or deleted since it was issued."""

    code = "account_inactive"

    def __init__(self) -> None:
        super().__init__("The account behind this token is not active.")


class EmailTaken(Conflict):
    code = "email_taken"

    def __init__(self) -> None:
        super().__init__("An account with this email already exists.")


class InvalidRefreshToken(Unauthorized):
    code = "invalid_refresh_token"

    def __init__(self) -> None:
        super().__init__("The refresh token is invalid, expired or already used.")


class InvalidOneTimeToken(BadRequest):
    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__("The token is invalid, expired or already used.")


class WrongCurrentPassword(ValidationFailed):
    code = "wrong_password"

    def __init__(self) -> None:
        super().__init__("current_password", "The current password is incorrect.")


class LoginThrottled(TooManyRequests):
    code = "login_throttled"


class UserNotFound(NotFound):
    code = "user_not_found"

    def __init__(self) -> None:
        super().__init__("No such user.")


class SelfLockout(Conflict):
    code = "self_lockout"

    def __init__(self) -> None:
        super().__init__("An admin cannot suspend or demote their own account.")
