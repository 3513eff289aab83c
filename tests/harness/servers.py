"""Real servers for tests: uvicorn in a background thread on an ephemeral port, as in
production (uvloop + httptools), and any Mercato service served that way."""

from __future__ import annotations

import importlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from harness.tokens import key_source
from mercato.kit.settings import Settings


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Running:
    url: str
    port: int


@contextmanager
def serve(app: Any, *, lifespan: str = "on", port: int = 0) -> Iterator[Running]:
    """Serve an ASGI app with uvicorn (uvloop + httptools, as in production) until exit."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        loop="uvloop",
        http="httptools",
        lifespan=lifespan,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
        # As `mercato up` must run the gateway: uvicorn's own proxy-header handling would
        # believe X-Forwarded-* from 127.0.0.1 whatever MERCATO_TRUSTED_PROXIES says.
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.005)
    try:
        yield Running(f"http://127.0.0.1:{port}", port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def serve_service(name: str, settings: Settings, *, port: int = 0) -> Iterator[Running]:
    """The real `mercato.<name>` app, with its lifespan (relays, sweeps), trusting the
    harness's signing key. Pass settings whose `<service>_url`s point where the others run."""
    module = importlib.import_module(f"mercato.{name}.app")
    with serve(module.create_app(settings, key_source=key_source()), port=port) as running:
        yield running


@dataclass
class Stack:
    settings: Settings
    """The settings every service of the stack runs with (their URLs point at each other)."""
    services: dict[str, Running]

    def url(self, name: str) -> str:
        return self.services[name].url


@contextmanager
def serve_stack(settings: Settings, names: list[str]) -> Iterator[Stack]:
    """Several real services that call each other, each on a port chosen before any of them
    starts, so every one knows where the others are."""
    ports = {name: free_port() for name in names}
    urls = {f"{name}_url": f"http://127.0.0.1:{port}" for name, port in ports.items()}
    configured = settings.model_copy(update=urls)
    with ExitStack() as stack:
        running = {
            name: stack.enter_context(serve_service(name, configured, port=ports[name]))
            for name in names
        }
        yield Stack(configured, running)
