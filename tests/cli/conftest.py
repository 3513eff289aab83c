"""What the CLI tests share: the environment a user would run `mercato` in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def env(backend: Any, tmp_path: Path) -> dict[str, str]:
    """A fresh data dir; on PostgreSQL the run's (already migrated) databases."""
    values = {"MERCATO_DATA_DIR": str(tmp_path / "var"), "MERCATO_BCRYPT_ROUNDS": "4"}
    if backend.name == "postgres":
        for service, url in backend.database_urls.items():
            values[f"MERCATO_{service.upper()}_DATABASE_URL"] = url
    return values
