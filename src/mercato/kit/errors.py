"""Errors as RFC 9457 problem details: one base class, one set of handlers for every app."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from mercato.kit.context import current_request_id

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("mercato.errors")


class MercatoError(Exception):
    """A failure a client can act on. Subclasses set `status` and a stable `code`."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    title: ClassVar[str | None] = None

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.default_title())
        self.detail = detail or self.default_title()
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    @classmethod
    def default_title(cls) -> str:
        return cls.title or HTTPStatus(cls.status).phrase


class BadRequest(MercatoError):
    status = 400
    code = "bad_request"


class Unauthorized(MercatoError):
    status = 401
    code = "unauthorized"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(MercatoError):
    status = 403
    code = "forbidden"


class NotFound(MercatoError):
    status = 404
    code = "not_found"


class Conflict(MercatoError):
    status = 409
    code = "conflict"


class PayloadTooLarge(MercatoError):
    status = 413
    code = "payload_too_large"


class ValidationFailed(MercatoError):
    """422 raised by business rules, with the same `errors` list as schema validation."""

    status = 422
    code = "validation_error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, extra={"errors": [{"field": field, "message": message}]})


class TooManyRequests(MercatoError):
    status = 429
    code = "rate_limited"


class ServiceUnavailable(MercatoError):
    status = 503
    code = "service_unavailable"


class GatewayTimeout(MercatoError):
    status = 504
    code = "gateway_timeout"


def problem_body(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    title: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> bytes:
    body: dict[str, Any] = {
        "type": f"https://mercato.dev/problems/{code or 'http-' + str(status)}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "request_id": current_request_id(),
    }
    if code:
        body["code"] = code
    if extra:
        body.update(extra)
    return json.dumps(body, separators=(",", ":")).encode()


def problem_response(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    return Response(
        problem_body(status, detail, code=code, title=title, extra=extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


def _field_path(loc: Sequence[Any]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:] or parts
    return ".".join(parts)


def validation_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [
        {"field": _field_path(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in errors
    ]


async def _mercato_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, MercatoError)
    return problem_response(
        exc.status,
        exc.detail,
        code=exc.code,
        title=exc.default_title(),
        headers=exc.headers,
        extra=exc.extra,
    )


async def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem_response(400, "The request body is not valid JSON.", code="malformed_json")
    return problem_response(
        422,
        "The request is not valid.",
        code="validation_error",
        extra={"errors": validation_errors(errors)},
    )


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem_response(exc.status_code, detail, headers=exc.headers)


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    # A bug: logged with its request id, answered 500 without internals.
    log.error("unhandled_error", path=request.url.path, exc_info=exc)
    return problem_response(500, "An unexpected error occurred.", code="internal_error")


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    """The database cannot be reached (refused, reset, restarting, or SQLite busy past its
    timeout): a 503 the client may retry, not a 500. Any other database error is a bug."""
    unreachable = isinstance(exc, OSError | InterfaceError | OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )
    if not unreachable:
        return await _unexpected_error(request, exc)
    log.warning(
        "database_unavailable", path=request.url.path, error=f"{type(exc).__name__}: {exc}"[:500]
    )
    return problem_response(
        503,
        "The service is unavailable for a moment (its database cannot be reached); retry shortly.",
        code="service_unavailable",
        headers={"Retry-After": "1"},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MercatoError, _mercato_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # A connection refused or reset (the database, or a store, is down) is OSError.
    app.add_exception_handler(OSError, _database_unavailable)
    app.add_exception_handler(DBAPIError, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)
