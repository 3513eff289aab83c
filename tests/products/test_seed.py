"""`mercato seed` and the first start of `mercato up`: the demo catalog, loaded once."""

from __future__ import annotations

from pathlib import Path

from asgi_lifespan import LifespanManager

from mercato.kit.migrations import upgrade_async
from mercato.kit.settings import Settings
from mercato.products.app import create_app
from mercato.products.demo_catalog import CATEGORIES, PRODUCTS
from mercato.products.seed import seed

from .support import ADMIN, client_for, key_source


def fresh_settings(tmp_path: Path) -> Settings:
    """A catalog of its own (the run's shared one holds other tests' products)."""
    return Settings(env="test", data_dir=tmp_path, log_level="WARNING")


async def test_seeding_loads_the_demo_catalog_once(tmp_path: Path) -> None:
    settings = fresh_settings(tmp_path)
    await upgrade_async("products", settings.database_url("products"))
    first = await seed(settings, only_if_empty=True)
    assert first is not None
    assert (first.categories, first.products) == (len(CATEGORIES), len(PRODUCTS)) == (8, 60)
    again = await seed(settings)
    assert again is not None
    assert (again.categories, again.products) == (0, 0)
    assert await seed(settings, only_if_empty=True) is None

    app = create_app(settings, key_source=key_source())
    async with LifespanManager(app), client_for(app) as client:
        listed = (await client.get("/api/products?limit=100")).json()
        assert listed["total"] == 60
        categories = (await client.get("/api/categories")).json()["items"]
        assert sorted(c["slug"] for c in categories) == sorted(c.slug for c in CATEGORIES)
        assert sum(c["product_count"] for c in categories) == 60
        # Every product's picture is served, offline, as an SVG.
        for product in listed["items"]:
            image = await client.get(product["image_url"])
            assert image.status_code == 200, product["image_url"]
            assert image.headers["content-type"] == "image/svg+xml"
            assert image.content.startswith(b"<svg")
            assert image.headers["content-security-policy"].startswith("default-src 'none'")
        assert (await client.get("/api/products/images/not-a-product.svg")).status_code == 404
        newest = listed["items"][0]
        assert newest["sku"] == PRODUCTS[0].sku


async def test_seeding_again_keeps_what_the_admin_changed(tmp_path: Path) -> None:
    settings = fresh_settings(tmp_path)
    await upgrade_async("products", settings.database_url("products"))
    await seed(settings)
    app = create_app(settings, key_source=key_source())
    async with LifespanManager(app), client_for(app) as client:
        found = (await client.get("/api/products", params={"q": PRODUCTS[0].sku})).json()
        target = found["items"][0]
        deleted = await client.delete(f"/api/products/{target['id']}", headers=ADMIN)
        assert deleted.status_code == 204
        other = (await client.get("/api/products", params={"q": PRODUCTS[1].sku})).json()
        renamed = await client.put(
            f"/api/products/{other['items'][0]['id']}", json={"name": "Renamed"}, headers=ADMIN
        )
        assert renamed.status_code == 200

        outcome = await seed(settings)
        assert outcome is not None
        assert (outcome.categories, outcome.products) == (0, 0)
        after = await client.get("/api/products?limit=100")
        assert after.json()["total"] == 59, "a deleted demo product stays deleted"
        assert "Renamed" in [p["name"] for p in after.json()["items"]]
