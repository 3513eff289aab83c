"""Schemathesis fuzzing of a service's OpenAPI, in process: the operations of an app, the
checks every service's answers must pass, and the hypothesis loop that drives the calls.

Driven by hand rather than `schemathesis.pytest.from_fixture`, whose lazy loader reads a
pytest-private attribute that pytest 9 removed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import CheckFunction, GenerationMode
from schemathesis.checks import CheckContext
from schemathesis.core.transport import Response
from schemathesis.schemas import APIOperation

MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
PROBLEM = "application/problem+json"

Headers = Mapping[str, str] | Callable[[], Mapping[str, str]]
"""The headers of every call, or what makes them afresh for each call (a new token, say)."""


def openapi_operations(app: Any) -> list[APIOperation]:
    """Every operation of the app's OpenAPI. Give it an app of its own: schemathesis serves it
    on an event loop of its own, lifespan included."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def for_caller(operations: Iterable[APIOperation], *, service: bool) -> list[APIOperation]:
    """The internal operations (`/internal/...`, for other services, with the service token)
    when `service`, else the public ones."""
    return [
        operation for operation in operations if operation.path.startswith("/internal/") == service
    ]


def _assert_problem_details(response: Response) -> None:
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type == PROBLEM, f"{response.status_code} answered as {content_type!r}"
    body = response.json()
    assert body["status"] == response.status_code, body
    assert body["title"], body
    assert body["detail"], body


def client_errors_are_problem_details(
    ctx: CheckContext, response: Response, case: schemathesis.Case
) -> None:
    """A 4xx answers in RFC 9457 problem details."""
    if 400 <= response.status_code < 500:
        _assert_problem_details(response)


def errors_are_problem_details(
    ctx: CheckContext, response: Response, case: schemathesis.Case
) -> None:
    """Every error, 4xx or 5xx, answers in RFC 9457 problem details."""
    if response.status_code >= 400:
        _assert_problem_details(response)


@dataclass(frozen=True)
class RealIds:
    """Existing ids that valid-looking calls on one `{parameter}` are aimed at, so they reach
    the database instead of stopping at 404. `except_methods` (lower case) are never aimed."""

    parameter: str
    ids: Sequence[str]
    except_methods: frozenset[str] = frozenset()

    def aimed_by(self, operation: APIOperation, mode: GenerationMode) -> bool:
        return (
            mode is GenerationMode.POSITIVE
            and operation.method not in self.except_methods
            and f"{{{self.parameter}}}" in operation.path
        )


async def fuzz(
    operations: Iterable[APIOperation],
    mode: GenerationMode,
    *,
    headers: Headers,
    checks: list[CheckFunction],
    max_examples: int,
    real_ids: RealIds | None = None,
) -> None:
    """Calls each operation `max_examples` times with inputs of `mode` and runs `checks` on
    every answer. In negative mode an operation without body, query or path parameters is
    passed over: there is nothing the fuzzer could make invalid.

    Awaited, with the calls made in a thread: the apps a test package keeps running (their
    relays, senders, recovery loops) live on the session's event loop, and a SQLite write one
    of them has begun must be able to finish. A test that blocked that loop mid-transaction
    would hold the database's write lock for the whole run ("database is locked")."""
    operations = list(operations)
    await asyncio.to_thread(_fuzz_all, operations, mode, headers, checks, max_examples, real_ids)


def _fuzz_all(
    operations: list[APIOperation],
    mode: GenerationMode,
    headers: Headers,
    checks: list[CheckFunction],
    max_examples: int,
    real_ids: RealIds | None,
) -> None:
    for operation in operations:
        inputs = [operation.body, operation.query, operation.path_parameters]
        if mode is GenerationMode.NEGATIVE and not any(len(part) for part in inputs):
            continue
        aimed = real_ids if real_ids is not None and real_ids.aimed_by(operation, mode) else None
        _fuzz_operation(operation, mode, headers, checks, max_examples, aimed)


def _fuzz_operation(
    operation: APIOperation,
    mode: GenerationMode,
    headers: Headers,
    checks: list[CheckFunction],
    max_examples: int,
    aimed: RealIds | None,
) -> None:
    real_id = st.sampled_from(aimed.ids) if aimed is not None else st.none()

    @given(case=operation.as_strategy(mode), real_id=real_id)
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def calls(case: schemathesis.Case, real_id: str | None) -> None:
        if aimed is not None and real_id is not None:
            case.path_parameters = {**(case.path_parameters or {}), aimed.parameter: real_id}
        sent = headers() if callable(headers) else headers
        case.call_and_validate(headers=dict(sent), checks=checks)

    calls()
