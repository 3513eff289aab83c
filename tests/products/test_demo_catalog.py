"""The demo catalog a fresh shop starts with, and the offline placeholder images it shows."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal

import pytest

from mercato.products.demo_catalog import (
    CATEGORIES,
    IMAGES,
    PRODUCTS,
    DemoCategory,
    DemoProduct,
    image_path,
)
from mercato.products.images import render_product_image

SVG = "{http://www.w3.org/2000/svg}"
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CATEGORY_SLUGS = {category.slug for category in CATEGORIES}


def svg_root(image: bytes) -> ET.Element:
    return ET.fromstring(image.decode("utf-8"))


def shown_lines(image: bytes) -> list[str]:
    """The lines of text a shopper sees under the glyph."""
    text = svg_root(image).find(f"{SVG}text")
    assert text is not None
    return [tspan.text or "" for tspan in text.iter(f"{SVG}tspan")]


def product_id(product: DemoProduct) -> str:
    return product.sku


# --- categories -------------------------------------------------------------------------------


def test_there_are_eight_categories_with_unique_slugs() -> None:
    assert len(CATEGORIES) == 8
    assert len(CATEGORY_SLUGS) == 8
    assert len({category.name for category in CATEGORIES}) == 8


@pytest.mark.parametrize("category", CATEGORIES, ids=lambda category: category.slug)
def test_a_category_has_a_url_safe_slug_and_a_description(category: DemoCategory) -> None:
    assert SLUG.fullmatch(category.slug)
    assert category.description.endswith(".")


def test_every_category_has_seven_or_eight_products() -> None:
    per_category = Counter(product.category_slug for product in PRODUCTS)
    assert set(per_category) == CATEGORY_SLUGS
    assert all(7 <= count <= 8 for count in per_category.values()), per_category


# --- products ---------------------------------------------------------------------------------


def test_there_are_sixty_products_with_unique_skus_names_and_images() -> None:
    assert len(PRODUCTS) == 60
    assert len({product.sku for product in PRODUCTS}) == 60
    assert len({product.name for product in PRODUCTS}) == 60
    assert len({product.image for product in PRODUCTS}) == 60


def test_skus_carry_one_code_per_category() -> None:
    codes: dict[str, set[str]] = {}
    for product in PRODUCTS:
        match = re.fullmatch(r"MRC-([A-Z]{3})-(\d{3})", product.sku)
        assert match, product.sku
        codes.setdefault(product.category_slug, set()).add(match.group(1))
    assert all(len(code) == 1 for code in codes.values()), codes
    assert len(set().union(*codes.values())) == len(CATEGORIES)


def test_every_product_belongs_to_a_listed_category() -> None:
    assert {product.category_slug for product in PRODUCTS} <= CATEGORY_SLUGS


def test_prices_are_positive_amounts_with_two_places() -> None:
    for product in PRODUCTS:
        assert isinstance(product.price, Decimal), product.sku
        assert product.price.as_tuple().exponent == -2, product.sku
        assert Decimal("4.99") <= product.price <= Decimal("1499.00"), product.sku


def test_stock_is_never_negative_and_some_products_are_sold_out_or_nearly() -> None:
    assert all(0 <= product.stock <= 250 for product in PRODUCTS)
    sold_out = [product for product in PRODUCTS if product.stock == 0]
    last_few = [product for product in PRODUCTS if 0 < product.stock < 5]
    assert 3 <= len(sold_out) <= 4
    assert len(last_few) >= 2


@pytest.mark.parametrize("word", ["wireless", "cotton", "stainless"])
def test_searching_a_common_word_finds_several_products(word: str) -> None:
    found = [p for p in PRODUCTS if word in f"{p.name} {p.description}".lower()]
    assert len(found) >= 3, word


@pytest.mark.parametrize("product", PRODUCTS, ids=product_id)
def test_a_product_reads_well_in_a_listing(product: DemoProduct) -> None:
    assert product.name == product.name.strip()
    assert len(product.name.split()) >= 2
    sentences = re.findall(r"[.!?](?:\s|$)", product.description)
    assert 1 <= len(sentences) <= 3, product.description


# --- the catalog's images ---------------------------------------------------------------------


def test_images_are_indexed_by_key_with_their_product_and_category() -> None:
    assert {p.image: (p.name, p.category_slug) for p in PRODUCTS} == IMAGES
    assert all(SLUG.fullmatch(key) for key in IMAGES)


def test_an_image_is_served_under_the_products_api() -> None:
    assert (
        image_path("aurora-wireless-headphones")
        == "/api/products/images/aurora-wireless-headphones.svg"
    )


@pytest.mark.parametrize("product", PRODUCTS, ids=product_id)
def test_every_product_image_is_a_small_self_contained_svg_showing_its_name(
    product: DemoProduct,
) -> None:
    image = render_product_image(*IMAGES[product.image])

    root = svg_root(image)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 400 400"
    assert (root.get("width"), root.get("height")) == ("400", "400")
    assert len(image) < 3 * 1024
    assert_offline(image)
    assert 1 <= len(shown_lines(image)) <= 3
    assert " ".join(shown_lines(image)) == product.name
    assert root.findtext(f"{SVG}title") == product.name


# --- rendering any name -----------------------------------------------------------------------


def assert_offline(image: bytes) -> None:
    text = image.decode("utf-8")
    without_namespace = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http" not in without_namespace
    assert "href" not in text
    for tag in ("<script", "<image", "<foreignObject", "@import", "@font-face"):
        assert tag not in text


def test_a_name_with_markup_characters_is_escaped() -> None:
    name = """Salt & Pepper <Deluxe> "Mill" 'Set'"""
    image = render_product_image(name, "home-kitchen")

    assert b"Salt &amp; Pepper" in image
    assert b"&lt;Deluxe&gt;" in image
    assert b"<Deluxe>" not in image
    assert " ".join(shown_lines(image)) == name
    assert svg_root(image).findtext(f"{SVG}title") == name


def test_a_very_long_name_stays_on_three_lines_and_under_three_kilobytes() -> None:
    name = "Ultra " * 80 + "Å" * 300 + '&"<' * 100
    image = render_product_image(name, "electronics")

    assert len(image) < 3 * 1024
    lines = shown_lines(image)
    assert len(lines) == 3
    assert lines[-1].endswith("…")


def test_characters_xml_cannot_hold_are_dropped_rather_than_breaking_the_image() -> None:
    image = render_product_image("Broken\x00 Name\x1b\ud800 Lamp", "garden")

    assert " ".join(shown_lines(image)) == "Broken Name Lamp"


def test_an_empty_name_still_renders() -> None:
    image = render_product_image("", "books")

    assert svg_root(image).tag == f"{SVG}svg"
    assert shown_lines(image) == []


def test_rendering_is_deterministic() -> None:
    for product in PRODUCTS:
        first = render_product_image(product.name, product.category_slug)
        assert render_product_image(product.name, product.category_slug) == first


def gradient(image: bytes) -> tuple[str | None, ...]:
    return tuple(stop.get("stop-color") for stop in svg_root(image).iter(f"{SVG}stop"))


def test_the_colours_follow_the_name() -> None:
    gradients = {gradient(render_product_image(p.name, p.category_slug)) for p in PRODUCTS}
    # Collisions are possible by chance but a catalog page should look varied.
    assert len(gradients) >= 50
    same_name = render_product_image("Aurora Wireless Headphones", "books")
    assert gradient(same_name) == gradient(render_product_image(*IMAGES[PRODUCTS[0].image]))


def glyph(image: bytes) -> bytes:
    root = svg_root(image)
    group = root.find(f"{SVG}g")
    assert group is not None
    return ET.tostring(group)


def test_each_category_has_its_own_glyph_and_unknown_ones_get_a_box() -> None:
    glyphs = {glyph(render_product_image("Same Name", slug)) for slug in CATEGORY_SLUGS}
    assert len(glyphs) == len(CATEGORY_SLUGS)

    unknown = glyph(render_product_image("Same Name", "no-such-category"))
    assert unknown not in glyphs
    assert unknown == glyph(render_product_image("Same Name", "another-unknown"))
