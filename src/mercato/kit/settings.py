"""Typed settings, read once from `MERCATO_*` environment variables and passed down."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SERVICES: tuple[str, ...] = ("users", "products", "orders", "payments", "notifications")
"""The domain services, in start-up order."""

SERVICE_PORTS: dict[str, int] = {
    "users": 3001,
    "products": 3002,
    "orders": 3003,
    "payments": 3004,
    "notifications": 3005,
    "gateway": 8080,
    "web": 3000,
}

DEV_SERVICE_TOKEN = "dev-internal-service-token"

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(text: str) -> tuple[int, int]:
    """`"100/15m"` -> (100, 900): a number of requests per window of seconds."""
    match = _RATE.match(text)
    if not match:
        raise ValueError(f"rate limit {text!r} is not of the form N/15m, N/1h or N/1s")
    count, amount, unit = match.groups()
    window = int(amount or "1") * _UNIT_SECONDS[unit]
    if int(count) < 1 or window < 1:
        raise ValueError(f"rate limit {text!r} must allow at least one request per window")
    return int(count), window


def url_origin(url: str) -> str:
    """The origin a browser names for an http(s) URL: `HTTPS://Shop.example:443/x` ->
    `https://shop.example`. Raises ValueError for anything else."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an absolute http(s) URL")
    port = parts.port  # ValueError when it is not a port number
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default_port = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + ("" if port in (None, default_port) else f":{port}")


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Everything Mercato reads from its environment. API.md lists the public variables."""

    model_config = SettingsConfigDict(env_prefix="MERCATO_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"

    users_database_url: str | None = None
    products_database_url: str | None = None
    orders_database_url: str | None = None
    payments_database_url: str | None = None
    notifications_database_url: str | None = None
    db_pool_size: int = Field(default=16, ge=1, le=200)
    """Database connections each service process keeps (PostgreSQL: mind max_connections)."""
    redis_url: str | None = None
    kv_prefix: str = ""
    """Prefix of every key this deployment keeps in the key-value store."""

    users_url: str = "http://127.0.0.1:3001"
    products_url: str = "http://127.0.0.1:3002"
    orders_url: str = "http://127.0.0.1:3003"
    payments_url: str = "http://127.0.0.1:3004"
    notifications_url: str = "http://127.0.0.1:3005"
    gateway_url: str = "http://127.0.0.1:8080"
    web_url: str = "http://localhost:3000"
    web_api_url: str | None = None
    """The gateway's URL as browsers reach it, handed to the storefront in `/config.js`;
    unset: `gateway_url`."""
    web_dist: Path | None = None
    """The storefront's production build (`npm run build` in `web/`); unset: the
    repository's `web/dist`."""

    rate_limit: str = "100/15m"
    auth_rate_limit: str = "20/15m"
    service_rate_limit: str = "5000/1m"
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Proxies in front of the gateway whose `X-Forwarded-For` the gateway believes."""
    service_trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"]
    )
    """Peers whose `X-Forwarded-For` a service believes: the gateway. The default fits
    `mercato up`, where the gateway runs on this machine; set the gateway's addresses (or
    network) when it runs elsewhere, so per-IP limits see the real client."""
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"]
    )
    smtp_url: str | None = None
    mail_from: str = "Mercato <no-reply@mercato.local>"
    """The From of every email: a real relay wants an address of a domain it sends for."""
    gateway_services: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(SERVICES))
    """The services the gateway's `/health` reports on: `mercato up` passes those it starts."""

    jwt_issuer: str = "mercato-users"
    jwt_audience: str = "mercato"
    jwt_private_key: str | None = None
    """PEM of the users service's signing key; generated under the data dir when absent."""
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_days: int = 30
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    service_token: str = DEV_SERVICE_TOKEN
    """Credential other services present on `/internal/...` calls."""

    catalog_cache: bool = True
    """Keep catalog answers in the key-value store (off: every read goes to the database)."""
    catalog_cache_ttl_seconds: float = Field(default=300.0, gt=0)
    """How long a cached catalog answer lives at most; writes invalidate it before that."""
    catalog_cache_lease_seconds: float = Field(default=0.025, ge=0, le=1)
    """How long an instance trusts a cache generation it has read; every catalog write waits
    this long before answering (products/cache.py)."""
    reservation_ttl_seconds: int = Field(default=1800, ge=1)
    """How long stock stays held for an unpaid order when the order names no time."""
    reservation_sweep_seconds: float = Field(default=30.0, gt=0)
    """How often lapsed reservations are looked for and released."""
    reservation_grace_seconds: int = Field(default=600, ge=0)
    """How much longer the products service holds an order's stock than the order waits for
    its payment: the orders service lapses its own orders first; the products service's own
    expiry is the backstop for when the orders service is down."""

    saga_recovery_seconds: float = Field(default=5.0, gt=0)
    """How often the orders service looks for checkouts and cancellations left mid-step
    (a crashed process, a service that was down) and for unpaid orders that lapsed."""
    saga_lease_seconds: float = Field(default=30.0, gt=0)
    """How long a step in progress is left to the process running it before the recovery
    loop takes the order over."""
    payment_latency_seconds: float = Field(default=0.05, ge=0, le=30)
    """How long the mock card processor takes to answer a charge or a refund."""

    notification_max_attempts: int = Field(default=5, ge=1, le=50)
    """Delivery attempts of one notification before it is marked `failed`."""
    notification_retry_seconds: float = Field(default=2.0, gt=0)
    """The first retry's delay; each later one doubles it (with jitter), up to 10 minutes."""
    notification_poll_seconds: float = Field(default=0.5, gt=0)
    """How often the notifications service looks for messages due to be sent."""

    upstream_timeout_seconds: float = 10.0
    connect_timeout_seconds: float = 2.0
    max_body_bytes: int = 1024 * 1024

    _split = field_validator(
        "trusted_proxies",
        "service_trusted_proxies",
        "cors_origins",
        "gateway_services",
        mode="before",
    )(_split_csv)

    @field_validator("gateway_services")
    @classmethod
    def _known_services(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(SERVICES))
        if unknown:
            raise ValueError(f"unknown services {unknown}; known: {', '.join(SERVICES)}")
        return value

    @field_validator("web_api_url", "web_dist", mode="before")
    @classmethod
    def _empty_means_unset(cls, value: object) -> object:
        # `MERCATO_WEB_DIST=` must not become `Path("")`, the current directory, served.
        return None if value == "" else value

    @field_validator("web_api_url")
    @classmethod
    def _absolute_api_url(cls, value: str | None) -> str | None:
        if value is not None:
            url_origin(value)  # refused at start-up: the storefront's CSP names its origin
        return value

    @field_validator("rate_limit", "auth_rate_limit", "service_rate_limit")
    @classmethod
    def _valid_rate(cls, value: str) -> str:
        parse_rate(value)
        return value

    @field_validator("trusted_proxies", "service_trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        # Refuse at start-up what would otherwise fail on every request.
        for entry in value:
            ipaddress.ip_network(entry, strict=False)
        return value

    @model_validator(mode="after")
    def _enforce_non_default_secrets(self) -> Settings:
        if self.env == "production":
            if self.service_token == DEV_SERVICE_TOKEN:
                raise ValueError("MERCATO_SERVICE_TOKEN must be set in production")
            if self.bcrypt_rounds < 12:
                raise ValueError("MERCATO_BCRYPT_ROUNDS must be at least 12 in production")
        return self

    def database_url(self, service: str) -> str:
        """The service's database: its own URL, else a SQLite file under the data dir."""
        url: str | None = getattr(self, f"{service}_database_url")
        if url:
            return url
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    def service_url(self, service: str) -> str:
        """Where `service` (or `gateway`) listens; `mercato up` binds to this address."""
        url: str = getattr(self, f"{service}_url")
        return url.rstrip("/")

    @property
    def mailbox_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"


@lru_cache
def get_settings() -> Settings:
    return Settings()
