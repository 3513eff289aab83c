"""The storefront's origin (`MERCATO_WEB_URL`) is always allowed, beside `MERCATO_CORS_ORIGINS`."""

from __future__ import annotations

import httpx
import pytest

from gateway.conftest import GatewayFactory
from harness import free_port


async def preflight(gateway: str, origin: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        return await http.options(
            gateway + "/api/orders",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )


def allowed(answer: httpx.Response, origin: str) -> bool:
    return (
        answer.headers.get("access-control-allow-origin") == origin
        and answer.headers.get("access-control-allow-credentials") == "true"
    )


async def test_the_storefront_on_another_port_may_call_the_gateway(
    start_gateway: GatewayFactory,
) -> None:
    web_origin = f"http://127.0.0.1:{free_port()}"
    gateway = start_gateway(web_url=web_origin)

    from_the_storefront = await preflight(gateway, web_origin)
    from_elsewhere = await preflight(gateway, f"http://127.0.0.1:{free_port()}")
    from_the_default_origin = await preflight(gateway, "http://localhost:3000")

    assert from_the_storefront.status_code == 204
    assert allowed(from_the_storefront, web_origin)
    assert "POST" in from_the_storefront.headers["access-control-allow-methods"]
    assert from_elsewhere.status_code == 204
    assert not [h for h in from_elsewhere.headers if h.startswith("access-control-")]
    assert allowed(from_the_default_origin, "http://localhost:3000")  # CORS_ORIGINS still


async def test_the_storefront_is_allowed_whatever_cors_origins_says(
    start_gateway: GatewayFactory,
) -> None:
    gateway = start_gateway(
        web_url="HTTPS://Shop.Example:443/store/", cors_origins=["https://partner.example"]
    )

    assert allowed(await preflight(gateway, "https://shop.example"), "https://shop.example")
    assert allowed(await preflight(gateway, "https://partner.example"), "https://partner.example")
    refused = await preflight(gateway, "http://localhost:3000")
    assert "access-control-allow-origin" not in refused.headers


async def test_an_ordinary_answer_to_the_storefront_carries_cors(
    start_gateway: GatewayFactory,
) -> None:
    web_origin = f"http://127.0.0.1:{free_port()}"
    gateway = start_gateway(web_url=web_origin)
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        answer = await http.get(gateway + "/api/products", headers={"Origin": web_origin})

    assert answer.status_code == 200
    assert allowed(answer, web_origin)
    assert "X-Request-ID" in answer.headers["access-control-expose-headers"]


@pytest.mark.parametrize("web_url", ["shop.example", "ftp://shop.example"])
def test_a_web_url_that_is_no_http_url_stops_the_gateway_at_start(
    start_gateway: GatewayFactory, web_url: str
) -> None:
    with pytest.raises(ValueError, match="MERCATO_WEB_URL"):
        start_gateway(web_url=web_url)
