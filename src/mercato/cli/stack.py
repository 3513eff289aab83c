"""What `mercato up` starts: the services that exist in this install, then the gateway, then
the web storefront."""

from __future__ import annotations

import errno
import importlib.util
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from mercato.kit.migrations import migrations_dir
from mercato.kit.settings import SERVICES, Settings

GATEWAY = "gateway"
WEB = "web"


@dataclass(frozen=True)
class Component:
    """One process of the stack: a service, the gateway or the storefront, and where it
    listens."""

    name: str
    url: str

    @property
    def host(self) -> str:
        """The address to bind. `localhost` is the IPv4 loopback: the name may also mean
        `::1`, and the port must be the same one whatever the name resolves to first."""
        host = urlsplit(self.url).hostname or "127.0.0.1"
        return "127.0.0.1" if host == "localhost" else host

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def factory(self) -> str:
        return f"mercato.{self.name}.app:create_app"


def is_installed(name: str) -> bool:
    """True when `mercato.<name>.app` exists; later issues add services this way."""
    try:
        return importlib.util.find_spec(f"mercato.{name}.app") is not None
    except ModuleNotFoundError:  # the package `mercato.<name>` itself is missing
        return False


def installed_services() -> list[str]:
    return [name for name in SERVICES if is_installed(name)]


def migrated_services() -> list[str]:
    """Services that own a database, in start-up order."""
    return [name for name in installed_services() if migrations_dir(name).is_dir()]


def components(settings: Settings) -> list[Component]:
    """Every installed service in the order of `SERVICES`, then the gateway, then the
    storefront."""
    names = installed_services()
    names += [name for name in (GATEWAY, WEB) if is_installed(name)]
    return [Component(name, settings.service_url(name)) for name in names]


def port_in_use(host: str, port: int) -> bool:
    """True when something already listens on host:port (uvicorn would fail to bind)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # The same option uvicorn sets, so a port in TIME_WAIT does not count as taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def uvicorn_command(python: str, component: Component) -> list[str]:
    """One process per component. The keep-alive outlives the gateway pool's idle timeout,
    so a pooled connection is never closed by the upstream while the gateway reuses it."""
    return [
        python,
        "-m",
        "uvicorn",
        "--factory",
        component.factory,
        "--host",
        component.host,
        "--port",
        str(component.port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--timeout-keep-alive",
        "75",
        "--no-access-log",  # the services write their own JSON access lines
        "--no-server-header",  # `server: uvicorn` tells an attacker what to look up
        # uvicorn would believe X-Forwarded-* from 127.0.0.1 whatever Mercato's settings say;
        # the kit decides whom to trust (MERCATO_TRUSTED_PROXIES, MERCATO_SERVICE_TRUSTED_PROXIES).
        "--no-proxy-headers",
    ]
