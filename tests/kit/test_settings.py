"""Settings: `MERCATO_*` parsing, CSV lists, defaults, refusals and rate strings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from mercato.kit.settings import DEV_SERVICE_TOKEN, Settings, parse_rate


def test_reads_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MERCATO_REDIS_URL", "redis://cache:6379/2")
    monkeypatch.setenv("MERCATO_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("MERCATO_ORDERS_DATABASE_URL", "postgresql+asyncpg://db/orders")
    monkeypatch.setenv("REDIS_URL", "redis://unprefixed-is-ignored")

    settings = Settings()

    assert settings.redis_url == "redis://cache:6379/2"
    assert settings.max_body_bytes == 2048
    assert settings.database_url("orders") == "postgresql+asyncpg://db/orders"


def test_csv_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MERCATO_CORS_ORIGINS", "https://shop.example, https://admin.example,")
    monkeypatch.setenv("MERCATO_TRUSTED_PROXIES", "10.0.0.0/8 , 127.0.0.1")

    settings = Settings()

    assert settings.cors_origins == ["https://shop.example", "https://admin.example"]
    assert settings.trusted_proxies == ["10.0.0.0/8", "127.0.0.1"]


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MERCATO_CORS_ORIGINS", raising=False)
    monkeypatch.delenv("MERCATO_TRUSTED_PROXIES", raising=False)
    settings = Settings()
    assert settings.cors_origins == ["http://localhost:3000", "http://127.0.0.1:3000"]
    assert settings.trusted_proxies == []


def test_trusted_proxies_that_are_not_networks_are_refused() -> None:
    with pytest.raises(ValidationError, match="not-an-ip"):
        Settings(trusted_proxies="10.0.0.0/8,not-an-ip")


def test_database_url_defaults_to_sqlite_under_data_dir(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", users_database_url=None)

    url = settings.database_url("users")

    assert url == f"sqlite+aiosqlite:///{(tmp_path / 'data' / 'users.db').resolve()}"


def test_service_url_has_no_trailing_slash() -> None:
    assert Settings(users_url="http://users:3001/").service_url("users") == "http://users:3001"


class TestProductionMode:
    def test_refuses_the_default_service_token(self) -> None:
        with pytest.raises(ValidationError, match="MERCATO_SERVICE_TOKEN"):
            Settings(env="production", service_token=DEV_SERVICE_TOKEN)

    def test_refuses_cheap_bcrypt(self) -> None:
        with pytest.raises(ValidationError, match="BCRYPT_ROUNDS"):
            Settings(env="production", service_token="s3cret-from-the-vault", bcrypt_rounds=4)

    def test_starts_with_its_own_secret(self) -> None:
        settings = Settings(env="production", service_token="s3cret-from-the-vault")
        assert settings.service_token == "s3cret-from-the-vault"

    def test_development_accepts_the_default_token(self) -> None:
        assert Settings(env="development").service_token == DEV_SERVICE_TOKEN


class TestParseRate:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("100/15m", (100, 900)),
            ("20/1h", (20, 3600)),
            ("5/1s", (5, 1)),
            ("60/m", (60, 60)),
            ("1000/d", (1000, 86400)),
            (" 7 / 2 m ", (7, 120)),
        ],
    )
    def test_forms(self, text: str, expected: tuple[int, int]) -> None:
        assert parse_rate(text) == expected

    @pytest.mark.parametrize(
        "text", ["", "100", "100/", "100/15", "100/15x", "x/1m", "-1/1m", "0/1m", "5/0s", "5/1.5m"]
    )
    def test_refusals(self, text: str) -> None:
        with pytest.raises(ValueError, match="rate limit"):
            parse_rate(text)

    def test_settings_refuse_a_bad_rate(self) -> None:
        with pytest.raises(ValidationError):
            Settings(rate_limit="lots")
