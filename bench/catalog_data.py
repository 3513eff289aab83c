"""A synthetic catalog for the catalog benchmark: products built from word lists, loaded with
PostgreSQL's COPY into the products service's own (migrated) tables, and the search queries a
shopper of that catalog would type."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(","))


@dataclass(frozen=True)
class Department:
    name: str
    slug: str
    nouns: tuple[str, ...]
    materials: tuple[str, ...]
    uses: tuple[str, ...]
    price_range: tuple[int, int]


DEPARTMENTS = (
    Department(
        "Electronics",
        "electronics",
        _words(
            "Headphones, Earbuds, Speaker, Soundbar, Charger, Power Bank, Keyboard, Mouse, "
            "Webcam, Monitor, Router, Smartwatch, Tablet Stand, Microphone, Projector"
        ),
        ("aluminium", "plastic", "silicone", "glass", "carbon"),
        ("gaming", "travel", "video calls", "music", "the home office", "streaming"),
        (9, 400),
    ),
    Department(
        "Home & Kitchen",
        "home-kitchen",
        _words(
            "Kettle, Toaster, Blender, Frying Pan, Saucepan, Knife Set, Cutting Board, "
            "Coffee Grinder, French Press, Mixing Bowl, Dish Rack, Storage Jar, Teapot, "
            "Casserole, Colander"
        ),
        ("stainless steel", "cast iron", "ceramic", "bamboo", "glass", "copper"),
        ("everyday cooking", "baking", "small kitchens", "family dinners", "brewing"),
        (6, 250),
    ),
    Department(
        "Sports & Outdoors",
        "sports-outdoors",
        _words(
            "Backpack, Tent, Sleeping Bag, Water Bottle, Yoga Mat, Dumbbell, Running Belt, "
            "Trekking Poles, Headlamp, Camping Stove, Bike Light, Jump Rope, Cooler, "
            "Hammock, Rain Jacket"
        ),
        ("nylon", "polyester", "stainless steel", "aluminium", "neoprene", "ripstop"),
        ("hiking", "camping", "running", "cycling", "the gym", "long weekends"),
        (8, 350),
    ),
    Department(
        "Books",
        "books",
        _words(
            "Cookbook, Novel, Field Guide, Atlas, Notebook, Journal, Sketchbook, Biography, "
            "Anthology, Handbook, Workbook, Picture Book, Almanac, Travel Guide, Dictionary"
        ),
        ("hardcover", "paperback", "linen", "recycled paper"),
        ("gifts", "students", "book clubs", "long journeys", "curious minds"),
        (5, 60),
    ),
    Department(
        "Toys & Games",
        "toys-games",
        _words(
            "Puzzle, Board Game, Building Blocks, Plush Bear, Kite, Train Set, Card Game, "
            "Dollhouse, Robot Kit, Marble Run, Race Car, Chess Set, Play Tent, "
            "Rocking Horse, Telescope"
        ),
        ("wooden", "plastic", "cotton", "felt", "cardboard"),
        ("family nights", "toddlers", "rainy days", "birthday parties", "classrooms"),
        (7, 150),
    ),
    Department(
        "Clothing",
        "clothing",
        _words(
            "T-Shirt, Hoodie, Sweater, Jeans, Chinos, Sneakers, Boots, Scarf, Beanie, Socks, "
            "Parka, Shorts, Polo Shirt, Cardigan, Leggings"
        ),
        ("cotton", "merino wool", "linen", "denim", "fleece", "leather", "cashmere"),
        ("everyday wear", "the office", "cold mornings", "weekends", "layering"),
        (12, 300),
    ),
    Department(
        "Beauty",
        "beauty",
        _words(
            "Face Cream, Shampoo, Conditioner, Lip Balm, Hand Soap, Serum, Sunscreen, "
            "Body Lotion, Hair Brush, Face Mask, Perfume, Nail Kit, Bath Salts, Cleanser, "
            "Toner"
        ),
        ("aloe", "argan oil", "shea butter", "vitamin c", "lavender", "charcoal"),
        ("dry skin", "sensitive skin", "daily routines", "travel", "spa evenings"),
        (4, 120),
    ),
    Department(
        "Garden",
        "garden",
        _words(
            "Planter, Watering Can, Garden Hose, Pruning Shears, Bird Feeder, Compost Bin, "
            "Seed Tray, Rake, Trowel, Garden Gloves, Lawn Sprinkler, Wheelbarrow, Trellis, "
            "Raised Bed, Solar Lantern"
        ),
        ("terracotta", "galvanised steel", "cedar", "rubber", "recycled plastic"),
        ("balconies", "vegetable patches", "lawns", "herb gardens", "patios"),
        (5, 280),
    ),
    Department(
        "Office",
        "office",
        _words(
            "Desk Lamp, Office Chair, Standing Desk, Desk Organizer, Stapler, Fountain Pen, "
            "Whiteboard, File Cabinet, Label Maker, Monitor Arm, Paper Shredder, Bookshelf, "
            "Footrest, Desk Mat, Pencil Case"
        ),
        ("oak", "walnut", "steel", "mesh", "felt", "brass"),
        ("the home office", "long meetings", "focused work", "students", "studios"),
        (4, 600),
    ),
    Department(
        "Automotive",
        "automotive",
        _words(
            "Car Charger, Dash Cam, Seat Cover, Floor Mats, Jump Starter, Tire Inflator, "
            "Phone Mount, Car Vacuum, Roof Box, Wiper Blades, Tool Kit, Ice Scraper, "
            "Sun Shade, Trunk Organizer, Tow Rope"
        ),
        ("rubber", "leather", "polyester", "aluminium", "microfiber"),
        ("road trips", "winter driving", "daily commutes", "family cars", "vans"),
        (6, 260),
    ),
)

ADJECTIVES = _words(
    "Classic, Compact, Deluxe, Essential, Premium, Portable, Wireless, Smart, Ultra, "
    "Vintage, Modern, Rugged, Slim, Heavy-Duty, Foldable, Organic, Ergonomic, "
    "Lightweight, Quiet, Professional, Mini, Large, Cozy, Eco, Adjustable, "
    "Waterproof, Insulated, Handmade, Nordic, Urban, Retro, Pro, Everyday, "
    "Signature, Studio, Explorer, Family, Travel, Kids, Grand"
)
BRANDS = _words(
    "Aldervale, Brightwell, Corvina, Dunmore, Everstone, Fjordling, Greyhaven, "
    "Hollis, Ironbark, Juniper, Kestrel, Larkspur, Maplewood, Northcote, Oakhurst, "
    "Pinecrest, Quayside, Redfern, Silverline, Thornbury, Umber, Valemont, "
    "Westbrook, Yarrow, Zephyr, Ashgrove, Bramble, Cobalt, Driftwood, Emberly, "
    "Foxglove, Galloway, Halcyon, Islay, Kinross, Lumen, Meridian, Nimbus, Orchard, "
    "Pebble, Ravenna, Solstice, Tidewater, Verdant, Willow, Alpine, Beacon, Cascade, "
    "Delta, Equinox"
)
COLOURS = _words(
    "black, white, grey, navy, forest green, sand, terracotta, sky blue, charcoal, "
    "ivory, olive, burgundy, mustard, teal, blush"
)
FEATURES = _words(
    "a two-year warranty, easy-clean surfaces, a reinforced base, "
    "a soft-touch finish, recycled packaging, replaceable parts, a carry pouch, "
    "non-slip feet, a magnetic closure, a lifetime guarantee, quick assembly, "
    "machine-washable covers"
)
TEMPLATES = (
    "A {adjective} {noun} in {material}, made for {use}. Comes in {colour} with {feature}.",
    "{brand}'s {noun} pairs {material} with {feature}; ideal for {use}. Finish: {colour}.",
    "Built for {use}: this {noun} is {material} throughout and ships with {feature}.",
    "Our best-selling {noun} for {use}, now in {colour} {material}, with {feature} and {feature2}.",
)


@dataclass(frozen=True)
class CatalogCategory:
    id: str
    name: str
    slug: str


def categories() -> list[CatalogCategory]:
    return [CatalogCategory(str(uuid.uuid4()), d.name, d.slug) for d in DEPARTMENTS]


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    # Most shop prices end in .99 or .49 and are skewed towards the cheap end.
    whole = int(low + (high - low) * rng.random() ** 2)
    return Decimal(f"{whole}.{rng.choice(('99', '49', '00', '95'))}")


def products(
    count: int, chosen: list[CatalogCategory], *, seed: int = 3
) -> Iterator[tuple[object, ...]]:
    """Rows in the column order of `PRODUCT_COLUMNS`, newest first a second apart."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    for index in range(count):
        department_index = rng.randrange(len(DEPARTMENTS))
        department = DEPARTMENTS[department_index]
        noun = rng.choice(department.nouns)
        adjective = rng.choice(ADJECTIVES)
        brand = rng.choice(BRANDS)
        material = rng.choice(department.materials)
        words = {
            "adjective": adjective.lower(),
            "noun": noun.lower(),
            "material": material,
            "use": rng.choice(department.uses),
            "colour": rng.choice(COLOURS),
            "feature": rng.choice(FEATURES),
            "feature2": rng.choice(FEATURES),
            "brand": brand,
        }
        description = rng.choice(TEMPLATES).format(**words)
        description = description[0].upper() + description[1:]
        with_material = rng.random() < 0.4
        name = f"{brand} {adjective} {material.title() + ' ' if with_material else ''}{noun}"
        name = f"{name} {rng.choice(('', 'II', 'Plus', 'S', str(rng.randint(2, 900))))}".strip()
        created = now - timedelta(seconds=index)
        stock = 0 if rng.random() < 0.08 else rng.randint(1, 500)
        yield (
            str(uuid.uuid4()),
            name[:200],
            description,
            _price(rng, *department.price_range),
            "USD",
            f"BENCH-{index:07d}",
            stock,
            0,
            rng.randint(0, 2000),
            None,
            chosen[department_index].id,
            True,
            None,
            created,
            created,
        )


PRODUCT_COLUMNS = _words(
    "id, name, description, price, currency, sku, stock, reserved, sold, image_url, "
    "category_id, is_active, deleted_at, created_at, updated_at"
)


async def load(dsn: str, count: int, *, batch: int = 10_000) -> list[str]:
    """Fill the migrated tables at `dsn` with `count` products in 10 categories; analyse
    them, so the planner sees the real sizes. Answers a few product ids to ask for."""
    connection = await asyncpg.connect(dsn)
    try:
        chosen = categories()
        now = datetime.now(UTC)
        await connection.copy_records_to_table(
            "categories",
            records=[(c.id, c.name, c.slug, "", True, now, now) for c in chosen],
            columns=("id", "name", "slug", "description", "is_active", "created_at", "updated_at"),
        )
        rows: list[tuple[object, ...]] = []
        sample: list[str] = []
        for row in products(count, chosen):
            rows.append(row)
            if len(rows) == batch:
                sample.append(str(rows[len(rows) // 2][0]))
                await connection.copy_records_to_table(
                    "products", records=rows, columns=PRODUCT_COLUMNS
                )
                rows = []
        if rows:
            sample.append(str(rows[0][0]))
            await connection.copy_records_to_table(
                "products", records=rows, columns=PRODUCT_COLUMNS
            )
        await connection.execute("VACUUM ANALYZE categories")
        await connection.execute("VACUUM ANALYZE products")
        return sample
    finally:
        await connection.close()


def search_queries(count: int = 200, *, seed: int = 7) -> list[str]:
    """What shoppers of this catalog type: a product word, a describing word with one, a
    brand, a material with a product word, or the first letters of a word (search matches
    prefixes). Distinct, so that no query repeats within one pass of a wrk script."""
    rng = random.Random(seed)
    seen: set[str] = set()
    queries: list[str] = []
    while len(queries) < count:
        department = rng.choice(DEPARTMENTS)
        noun = rng.choice(department.nouns).lower()
        roll = rng.random()
        if roll < 0.35:
            query = noun
        elif roll < 0.55:
            query = f"{rng.choice(ADJECTIVES).lower()} {noun}"
        elif roll < 0.7:
            query = rng.choice(BRANDS).lower()
        elif roll < 0.85:
            query = f"{rng.choice(department.materials)} {noun}"
        else:
            word = noun.split()[0]
            query = word[: max(4, len(word) - 3)]
        if query not in seen:
            seen.add(query)
            queries.append(query)
    return queries
