"""What `mercato up` starts, and where each process listens."""

from __future__ import annotations

import socket

from mercato.cli.stack import Component, components, port_in_use, uvicorn_command
from mercato.kit.settings import SERVICES, Settings


def test_the_storefront_starts_after_the_gateway() -> None:
    settings = Settings(web_url="http://localhost:3000")
    stack = components(settings)

    assert [c.name for c in stack] == [*SERVICES, "gateway", "web"]
    web = stack[-1]
    assert web.url == "http://localhost:3000"
    assert web.factory == "mercato.web.app:create_app"


def test_localhost_is_bound_as_the_ipv4_loopback() -> None:
    web = Component("web", "http://localhost:3000/")

    assert (web.host, web.port) == ("127.0.0.1", 3000)
    command = uvicorn_command("python", web)
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "3000"


def test_a_port_taken_on_the_loopback_is_seen_through_localhost() -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        web = Component("web", f"http://localhost:{port}")

        assert port_in_use(web.host, web.port)
