"""Product placeholder images, drawn as small SVGs from a product's name and category.

Generated here rather than fetched so the storefront shows images offline: no CDN, no stock
photos, no web fonts, nothing to download when the shop starts on a fresh machine.
"""

from __future__ import annotations

import colorsys
import hashlib
import textwrap
from html import escape

# At 26px a line of system-ui holds about 24 average characters in the 352px between margins;
# 20 leaves room for wide letters.
_LINE_CHARS = 20
_MAX_LINES = 3
_LINE_HEIGHT = 32
# Bounds the <title>, and with it the file size, however long an admin makes a name.
_TITLE_CHARS = 120

# One simple white glyph per demo category, drawn inside the halo centred at (200, 160).
_GLYPHS: dict[str, str] = {
    "electronics": (  # headphones
        '<path d="M128 185v-25a72 72 0 0 1 144 0v25" fill="none" stroke-width="14"/>'
        '<rect x="110" y="170" width="40" height="62" rx="14"/>'
        '<rect x="250" y="170" width="40" height="62" rx="14"/>'
    ),
    "home-kitchen": (  # cooking pot
        '<rect x="128" y="122" width="144" height="14" rx="7"/>'
        '<circle cx="200" cy="110" r="10"/>'
        '<path d="M138 142h124v62a24 24 0 0 1-24 24h-76a24 24 0 0 1-24-24z"/>'
        '<rect x="106" y="152" width="30" height="12" rx="6"/>'
        '<rect x="264" y="152" width="30" height="12" rx="6"/>'
    ),
    "books": (  # open book
        '<path d="M196 112c-22-14-52-18-80-12v120c28-6 58-2 80 12z'
        'M204 112c22-14 52-18 80-12v120c-28-6-58-2-80 12z"/>'
    ),
    "clothing": (  # t-shirt
        '<path d="M170 96l-52 22-18 44 32 12 10-20v86h116v-86l10 20 32-12-18-44-52-22'
        'c-6 16-18 24-30 24s-24-8-30-24z"/>'
    ),
    "sports-outdoors": (  # mountains under the sun
        '<circle cx="262" cy="108" r="18"/><path d="M100 226l62-94 40 60 26-36 72 70z"/>'
    ),
    "toys-games": (  # die showing five
        '<rect x="138" y="98" width="124" height="124" rx="20"/>'
        '<g fill="#000" fill-opacity=".28"><circle cx="170" cy="130" r="11"/>'
        '<circle cx="230" cy="130" r="11"/><circle cx="200" cy="160" r="11"/>'
        '<circle cx="170" cy="190" r="11"/><circle cx="230" cy="190" r="11"/></g>'
    ),
    "beauty": (  # cosmetics bottle
        '<rect x="180" y="86" width="40" height="24" rx="5"/>'
        '<rect x="188" y="110" width="24" height="20"/>'
        '<rect x="160" y="130" width="80" height="104" rx="18"/>'
        '<rect x="176" y="166" width="48" height="32" rx="4" fill="#000" fill-opacity=".18"/>'
    ),
    "garden": (  # seedling in a pot
        '<path d="M200 182v-60" fill="none" stroke-width="8"/>'
        '<path d="M200 150c-6-26-28-42-58-40 2 28 26 44 58 40z'
        'M200 132c6-26 28-40 56-38-2 26-24 42-56 38z"/>'
        '<path d="M156 178h88l-12 56h-64z"/>'
    ),
}
_PARCEL = (  # any other category: a closed box
    '<path d="M200 92l72 36v84l-72 36-72-36v-84z"/>'
    '<path d="M128 128l72 36 72-36M200 164v84" fill="none" stroke="#000" stroke-opacity=".2"'
    ' stroke-width="4"/>'
)


def render_product_image(name: str, category_slug: str) -> bytes:
    """An SVG placeholder for a product: the same name and category always give the same bytes."""
    name = _xml_safe(name)
    start, end = _gradient(name)
    title = name if len(name) <= _TITLE_CHARS else name[: _TITLE_CHARS - 1] + "…"
    lines = textwrap.wrap(
        name,
        width=_LINE_CHARS,
        max_lines=_MAX_LINES,
        placeholder=" …",
        break_on_hyphens=False,
    )
    # Centre the block of lines on y=318, below the glyph.
    first_baseline = 327 - (len(lines) - 1) * _LINE_HEIGHT // 2
    tspans = "".join(
        f'<tspan x="200" y="{first_baseline + i * _LINE_HEIGHT}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400"'
        ' role="img">'
        f"<title>{escape(title)}</title>"
        '<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{start}"/><stop offset="1" stop-color="{end}"/>'
        "</linearGradient></defs>"
        '<rect width="400" height="400" fill="url(#bg)"/>'
        '<circle cx="200" cy="160" r="100" fill="#fff" fill-opacity=".12"/>'
        '<g fill="#fff" stroke="#fff" stroke-width="0" stroke-linecap="round"'
        f' stroke-linejoin="round">{_GLYPHS.get(category_slug, _PARCEL)}</g>'
        '<text text-anchor="middle" font-family="system-ui, sans-serif" font-size="26"'
        f' font-weight="600" fill="#fff">{tspans}</text>'
        "</svg>"
    )
    return svg.encode("utf-8")


def _gradient(name: str) -> tuple[str, str]:
    # hashlib, not hash(): the colours must not change between processes or restarts.
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    second_hue = (hue + 25 + digest[2] % 50) % 360
    saturation = 0.50 + (digest[3] % 20) / 100
    # Dark enough on both ends for white text to stay readable.
    return _hex(hue, 0.44, saturation), _hex(second_hue, 0.30, saturation)


def _hex(hue: int, lightness: float, saturation: float) -> str:
    red, green, blue = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def _xml_safe(name: str) -> str:
    # Characters XML 1.0 forbids (control characters, lone surrogates) would make the whole
    # document unreadable; drop them and fold any run of whitespace into one space.
    kept = "".join(
        char
        for char in name
        if char in "\t\n\r"
        or "\x20" <= char <= "\ud7ff"
        or "\ue000" <= char <= "\ufffd"
        or char >= "\U00010000"
    )
    return " ".join(kept.split())
