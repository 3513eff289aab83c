"""JSON answers built straight from a response model.

A route that returns a model lets FastAPI dump it to a dict, validate that dict against the
`response_model` again and only then serialise it: three passes where one will do. Routes on
a hot path return `model_response(...)` instead; they keep `response_model=` for the OpenAPI
document.
"""

from __future__ import annotations

from typing import Any

from fastapi import Response
from pydantic import BaseModel


def model_body(model: type[BaseModel], value: Any) -> bytes:
    """`value` (a model, or anything `model` validates) as `model`'s JSON."""
    valid = value if isinstance(value, model) else model.model_validate(value)
    return valid.model_dump_json().encode()


def model_response(
    model: type[BaseModel],
    value: Any,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        model_body(model, value),
        status_code=status_code,
        headers=headers,
        media_type="application/json",
    )
