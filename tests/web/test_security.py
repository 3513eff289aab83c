"""The security headers on every storefront answer, errors and the unbuilt page included."""

from __future__ import annotations

import shutil

import httpx
import pytest

from .conftest import GATEWAY_URL, Dist, Storefront

ANSWERS = [
    ("GET", "/"),
    ("GET", "/products/abc"),
    ("GET", "/assets/app-1234.js"),
    ("GET", "/assets/missing.js"),
    ("GET", "/favicon.svg"),
    ("GET", "/config.js"),
    ("GET", "/health"),
    ("POST", "/checkout"),
]


def policy_of(answer: httpx.Response) -> dict[str, list[str]]:
    directives = (d.split() for d in answer.headers["content-security-policy"].split(";"))
    return {name: sources for name, *sources in directives}


def assert_secured(answer: httpx.Response, api_origin: str) -> None:
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    policy = policy_of(answer)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:", api_origin]
    assert policy["connect-src"] == ["'self'", api_origin]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


@pytest.mark.parametrize(("method", "path"), ANSWERS)
async def test_every_answer_carries_them(
    storefront: Storefront, dist: Dist, method: str, path: str
) -> None:
    async with storefront(dist.path) as http:
        answer = await http.request(method, path)

    assert_secured(answer, GATEWAY_URL)


async def test_the_unbuilt_page_carries_them(storefront: Storefront, dist: Dist) -> None:
    shutil.rmtree(dist.path)
    async with storefront(dist.path) as http:
        answer = await http.get("/")

    assert answer.status_code == 503
    assert_secured(answer, GATEWAY_URL)


async def test_the_policy_names_the_configured_gateway_by_its_origin(
    storefront: Storefront, dist: Dist
) -> None:
    async with storefront(dist.path, web_api_url="HTTPS://API.Shop.example:443/v1/") as http:
        answer = await http.get("/")

    assert_secured(answer, "https://api.shop.example")
