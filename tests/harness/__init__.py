"""What tests of several services share: real servers on ephemeral ports, one signing key
that every service under test trusts, and tokens signed with it; the check of a service's
migrations against its models; the fuzzing of its OpenAPI.

Imported as `harness` (pytest puts `tests/` on the path): `from harness import serve, bearer`.
"""

import pytest

# The fuzzing checks assert in this package: pytest explains their failures as in a test.
pytest.register_assert_rewrite("harness.fuzz")

from harness.fuzz import (  # noqa: E402
    MODES,
    RealIds,
    client_errors_are_problem_details,
    errors_are_problem_details,
    for_caller,
    fuzz,
    openapi_operations,
)
from harness.migrations import MigratedSchema, migrated_schema  # noqa: E402
from harness.servers import (  # noqa: E402
    Running,
    Stack,
    free_port,
    serve,
    serve_service,
    serve_stack,
)
from harness.tokens import KID, SERVICE_TOKEN, access_token, bearer, key_source  # noqa: E402

__all__ = [
    "KID",
    "MODES",
    "SERVICE_TOKEN",
    "MigratedSchema",
    "RealIds",
    "Running",
    "Stack",
    "access_token",
    "bearer",
    "client_errors_are_problem_details",
    "errors_are_problem_details",
    "for_caller",
    "free_port",
    "fuzz",
    "key_source",
    "migrated_schema",
    "openapi_operations",
    "serve",
    "serve_service",
    "serve_stack",
]
