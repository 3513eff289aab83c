"""The users service's part of API.md: request and answer bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    field_validator,
)

from mercato.kit.schemas import RequestModel
from mercato.users.passwords import password_problem


def _acceptable_password(value: str) -> str:
    problem = password_problem(value)
    if problem:
        raise ValueError(problem)
    return value


# A bound on what is checked at all: bcrypt sees at most 72 bytes, and a huge string must
# not reach it (or the log) however it arrives.
Password = Annotated[str, Field(max_length=1024)]
NewPassword = Annotated[str, Field(max_length=1024), AfterValidator(_acceptable_password)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ().\-]{3,32}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Token = Annotated[str, Field(min_length=1, max_length=4096)]


class Request(RequestModel):
    """Unknown fields are refused: `role` cannot be smuggled into any body."""


class RegisterRequest(Request):
    email: EmailStr
    password: NewPassword
    name: Name
    phone: Phone | None = None


class LoginRequest(Request):
    email: EmailStr
    password: Password


class RefreshRequest(Request):
    refresh_token: Token


class LogoutRequest(Request):
    refresh_token: Token | None = None


class Address(Request):
    line1: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    line2: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    region: ShortText | None = None
    postal_code: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)
    ]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    """ISO 3166-1 alpha-2."""


class ProfileUpdate(Request):
    first_name: ShortText | None = None
    last_name: ShortText | None = None
    avatar_url: Annotated[HttpUrl, Field(max_length=2048)] | None = None
    bio: Annotated[str, Field(max_length=2000)] | None = None
    address: Address | None = None


class MeUpdate(Request):
    """Only what is sent changes; `null` clears an optional field."""

    name: Name | None = None
    phone: Phone | None = None
    profile: ProfileUpdate | None = None

    @field_validator("name", "profile", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Omitting them keeps them; `null` would mean "clear", which they cannot be.
        if value is None:
            raise ValueError("may be omitted but not null")
        return value


class ChangePasswordRequest(Request):
    current_password: Password
    new_password: NewPassword


class PasswordResetRequest(Request):
    email: EmailStr


class PasswordResetConfirm(Request):
    token: Token
    new_password: NewPassword


class VerifyEmailRequest(Request):
    token: Token


class UserAdminUpdate(Request):
    role: Literal["customer", "admin"] | None = None
    status: Literal["active", "suspended"] | None = None


class ProfileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    first_name: str | None = None
    last_name: str | None = None
    avatar_url: str | None = None
    bio: str | None = None
    address: dict[str, Any] | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    name: str
    phone: str | None
    role: Literal["customer", "admin"]
    status: Literal["active", "suspended"]
    email_verified: bool
    created_at: datetime
    profile: ProfileOut


class InternalUserOut(BaseModel):
    """`GET /internal/users/{id}`: what other services need to reach a user."""

    id: str
    email: str
    name: str
    email_verified: bool
    status: Literal["active", "suspended"]


class TokenPairOut(BaseModel):
    user: UserOut
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserPage(BaseModel):
    items: list[UserOut]
    total: int
    page: int
    limit: int
    pages: int


class JWKS(BaseModel):
    keys: list[dict[str, Any]]
