"""What tests of several services share: real servers on ephemeral ports, one signing key
that every service under test trusts, and tokens signed with it.

Imported as `harness` (pytest puts `tests/` on the path): `from harness import serve, bearer`.
"""

from harness.servers import Running, Stack, free_port, serve, serve_service, serve_stack
from harness.tokens import KID, SERVICE_TOKEN, access_token, bearer, key_source

__all__ = [
    "KID",
    "SERVICE_TOKEN",
    "Running",
    "Stack",
    "access_token",
    "bearer",
    "free_port",
    "key_source",
    "serve",
    "serve_service",
    "serve_stack",
]
