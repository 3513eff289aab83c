"""`mercato migrate`, `create-admin` and `version`, run in process as a user types them."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from mercato import __version__
from mercato.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == __version__


def test_migrate_brings_every_database_to_head(backend: Any, env: dict[str, str]) -> None:
    result = runner.invoke(app, ["migrate"], env=env)
    assert result.exit_code == 0, result.output
    assert "users database is up to date" in result.output
    if backend.name == "sqlite":
        database = Path(env["MERCATO_DATA_DIR"]) / "users.db"
        with sqlite3.connect(database) as conn:
            assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


def test_migrate_one_service(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["migrate", "users"], env=env)
    assert result.exit_code == 0, result.output
    assert "users database is up to date" in result.output


def test_migrate_refuses_an_unknown_service(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["migrate", "warehouse"], env=env)
    assert result.exit_code == 1
    assert "no migrations for 'warehouse'" in result.output


def test_create_admin_asks_for_the_password_twice(env: dict[str, str]) -> None:
    email = f"prompted-{uuid.uuid4().hex[:10]}@example.com"
    password = "a long enough password"
    result = runner.invoke(
        app, ["create-admin", "--email", email], env=env, input=f"{password}\n{password}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert f"admin {email} created" in result.output


def test_create_admin_refuses_a_weak_password(env: dict[str, str]) -> None:
    email = f"weak-{uuid.uuid4().hex[:10]}@example.com"
    result = runner.invoke(app, ["create-admin", "--email", email, "--password", "short"], env=env)
    assert result.exit_code == 1
    assert "mercato:" in result.output
    assert "created" not in result.output


def test_create_admin_refuses_a_bad_email(env: dict[str, str]) -> None:
    result = runner.invoke(
        app, ["create-admin", "--email", "not-an-email", "--password", "long enough pw"], env=env
    )
    assert result.exit_code == 1
    assert "not a valid email" in result.output


def test_seed_loads_the_demo_catalog_and_is_safe_to_repeat(tmp_path: Path) -> None:
    # A catalog of its own: the run's shared database holds other tests' products.
    env = {"MERCATO_DATA_DIR": str(tmp_path / "var")}
    first = runner.invoke(app, ["seed"], env=env)
    assert first.exit_code == 0, first.output
    assert "demo catalog: 8 categories and 60 products added" in first.output
    again = runner.invoke(app, ["seed"], env=env)
    assert again.exit_code == 0, again.output
    assert "demo catalog: 0 categories and 0 products added" in again.output
    with sqlite3.connect(tmp_path / "var" / "products.db") as conn:
        assert conn.execute("SELECT count(*) FROM products").fetchone() == (60,)
