"""Request bodies: unknown fields and NUL characters are validation errors, never a 500."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from mercato.kit.errors import install_error_handlers
from mercato.kit.schemas import RequestModel


class Address(RequestModel):
    city: str


class Signup(RequestModel):
    name: str
    tags: list[str] = []
    address: Address | None = None


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/signups")
    async def signup(body: Signup) -> dict[str, str]:
        return {"name": body.name}

    return app


async def _post(body: object) -> httpx.Response:
    transport = httpx.ASGITransport(_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post("/signups", json=body)


async def test_a_plain_body_is_accepted() -> None:
    response = await _post({"name": "Ann", "tags": ["a"], "address": {"city": "Oslo"}})
    assert response.status_code == 200
    assert response.json() == {"name": "Ann"}


async def test_unknown_fields_are_refused() -> None:
    response = await _post({"name": "Ann", "role": "admin"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "role"


async def test_nul_characters_anywhere_are_refused_with_the_field_named() -> None:
    for body, field in [
        ({"name": "A\u0000nn"}, "name"),
        ({"name": "Ann", "tags": ["ok", "b\u0000d"]}, "tags"),
        ({"name": "Ann", "address": {"city": "Os\u0000lo"}}, "address"),
    ]:
        response = await _post(body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == field
