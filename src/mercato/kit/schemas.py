"""The base of every request body: unknown fields refused, NUL characters refused.

PostgreSQL cannot store U+0000 in text (it answers an encoding error, which would surface as a
500), and no shop field has a use for it, so it is a validation error on every backend alike.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

NUL = "\x00"


def contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


class RequestModel(BaseModel):
    """Unknown fields are refused (so `role` cannot be smuggled into a body)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


def _canonical_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("must be a UUID") from None


Id = Annotated[
    str,
    StringConstraints(min_length=36, max_length=36, pattern=r"^[0-9a-fA-F-]{36}$"),
    AfterValidator(_canonical_uuid),
    WithJsonSchema({"type": "string", "format": "uuid"}),
]
"""Any UUID a client may spell (upper case included), kept in the form ids are stored in."""


def refuse_boolean(value: object) -> object:
    """A `mode="before"` validator for numbers: Pydantic's lax mode reads `true` as 1."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    return value
