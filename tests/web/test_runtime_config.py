"""`/config.js`: the gateway's URL the storefront calls, from the settings."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from mercato.kit.settings import Settings
from mercato.web.app import create_app

from .conftest import GATEWAY_URL, Dist, Storefront

PREFIX = "window.MERCATO_CONFIG = "


def config_of(script: str) -> object:
    assert script.startswith(PREFIX)
    assert script.endswith(";\n")
    return json.loads(script.removeprefix(PREFIX).removesuffix(";\n"))


async def test_the_gateway_url_by_default(storefront: Storefront, dist: Dist) -> None:
    async with storefront(dist.path) as http:
        answer = await http.get("/config.js")

    assert answer.status_code == 200
    assert answer.text == f'{PREFIX}{{"apiUrl": "{GATEWAY_URL}"}};\n'
    assert answer.headers["content-type"] == "application/javascript"
    assert answer.headers["cache-control"] == "no-store"


async def test_mercato_web_api_url_when_set(dist: Dist, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MERCATO_WEB_API_URL", "https://api.shop.example/")
    monkeypatch.setenv("MERCATO_WEB_DIST", str(dist.path))
    app = create_app(Settings(log_level="WARNING"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        config = await http.get("/config.js")
        page = await http.get("/")

    assert config_of(config.text) == {"apiUrl": "https://api.shop.example"}
    assert page.text == dist.index  # MERCATO_WEB_DIST is the build served


async def test_the_url_cannot_break_out_of_the_script(storefront: Storefront, dist: Dist) -> None:
    hostile = "https://api.example/</script><script>alert(1)</script>\u2028"
    async with storefront(dist.path, web_api_url=hostile) as http:
        answer = await http.get("/config.js")

    assert "<" not in answer.text
    assert ">" not in answer.text
    assert "\u2028" not in answer.text
    assert config_of(answer.text) == {"apiUrl": hostile}


@pytest.mark.parametrize("url", ["api.shop.example", "/api", "ftp://files.example", "http://"])
def test_a_url_that_is_no_http_url_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("MERCATO_WEB_API_URL", url)
    with pytest.raises(ValidationError, match="web_api_url"):
        Settings()


async def test_empty_variables_mean_unset_never_the_current_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "index.html").write_text("the current directory")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MERCATO_WEB_API_URL", "")
    monkeypatch.setenv("MERCATO_WEB_DIST", "")
    settings = Settings()
    app = create_app(settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        page = await http.get("/")
        config = await http.get("/config.js")

    assert "the current directory" not in page.text
    assert config_of(config.text) == {"apiUrl": settings.gateway_url}
