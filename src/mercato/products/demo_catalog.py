"""The demo catalog that `make run` loads: eight categories and sixty products a shopper can
browse, search and buy, each with an offline placeholder image. Pure data, no database code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DemoCategory:
    name: str
    slug: str
    description: str


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    description: str
    price: Decimal
    stock: int
    category_slug: str
    # Key of the generated placeholder image, served at `image_path(image)`.
    image: str


CATEGORIES: tuple[DemoCategory, ...] = (
    DemoCategory(
        name="Electronics",
        slug="electronics",
        description="Headphones, speakers, wearables and the gadgets that keep you connected.",
    ),
    DemoCategory(
        name="Home & Kitchen",
        slug="home-kitchen",
        description="Cookware, appliances and soft furnishings for everyday living.",
    ),
    DemoCategory(
        name="Books",
        slug="books",
        description="Novels, field guides and practical handbooks for every kind of reader.",
    ),
    DemoCategory(
        name="Clothing",
        slug="clothing",
        description="Wardrobe staples in natural fabrics, from organic cotton tees to rainwear.",
    ),
    DemoCategory(
        name="Sports & Outdoors",
        slug="sports-outdoors",
        description="Gear for the trail, the campsite and the home gym.",
    ),
    DemoCategory(
        name="Toys & Games",
        slug="toys-games",
        description="Building sets, board games and puzzles for curious minds of all ages.",
    ),
    DemoCategory(
        name="Beauty",
        slug="beauty",
        description="Skincare, haircare and grooming essentials with gentle ingredients.",
    ),
    DemoCategory(
        name="Garden",
        slug="garden",
        description="Tools, planters and lighting to grow and enjoy your outdoor space.",
    ),
)


PRODUCTS: tuple[DemoProduct, ...] = (
    # Electronics
    DemoProduct(
        sku="MRC-ELE-001",
        name="Aurora Wireless Headphones",
        description=(
            "Over-ear wireless headphones with active noise cancelling and 30 hours of battery. "
            "Memory-foam cushions and a folding aluminium headband make long flights easy."
        ),
        price=Decimal("149.00"),
        stock=42,
        category_slug="electronics",
        image="aurora-wireless-headphones",
    ),
    DemoProduct(
        sku="MRC-ELE-002",
        name="Pulse Portable Bluetooth Speaker",
        description=(
            "A waterproof wireless speaker with rich 360-degree sound and a 12-hour battery. "
            "Pair two for stereo at the beach or in the garden."
        ),
        price=Decimal("79.99"),
        stock=118,
        category_slug="electronics",
        image="pulse-portable-bluetooth-speaker",
    ),
    DemoProduct(
        sku="MRC-ELE-003",
        name="Vertex Mechanical Keyboard",
        description=(
            "A compact wireless mechanical keyboard with hot-swappable tactile switches "
            "and warm white backlighting. Connects to three devices over Bluetooth or USB-C."
        ),
        price=Decimal("119.00"),
        stock=64,
        category_slug="electronics",
        image="vertex-mechanical-keyboard",
    ),
    DemoProduct(
        sku="MRC-ELE-004",
        name="Orbit Fitness Smartwatch",
        description=(
            "Tracks heart rate, sleep and GPS runs on a bright always-on display. "
            "The stainless steel case is water resistant to 50 metres."
        ),
        price=Decimal("229.00"),
        stock=0,
        category_slug="electronics",
        image="orbit-fitness-smartwatch",
    ),
    DemoProduct(
        sku="MRC-ELE-005",
        name="Nimbus Wireless Charging Pad",
        description=(
            "A slim 15 W wireless charger for phones and earbuds, wrapped in soft fabric "
            "with a non-slip silicone base."
        ),
        price=Decimal("29.99"),
        stock=203,
        category_slug="electronics",
        image="nimbus-wireless-charging-pad",
    ),
    DemoProduct(
        sku="MRC-ELE-006",
        name="Quanta Noise-Cancelling Earbuds",
        description=(
            "True wireless earbuds with adaptive noise cancelling, a transparency mode and "
            "a pocketable charging case good for 24 hours of listening."
        ),
        price=Decimal("129.99"),
        stock=87,
        category_slug="electronics",
        image="quanta-noise-cancelling-earbuds",
    ),
    DemoProduct(
        sku="MRC-ELE-007",
        name="Lumen 27-inch 4K Monitor",
        description=(
            "A 27-inch IPS display with 4K resolution, factory-calibrated colour and a "
            "single USB-C cable for video, data and 65 W charging."
        ),
        price=Decimal("399.00"),
        stock=23,
        category_slug="electronics",
        image="lumen-27-inch-4k-monitor",
    ),
    DemoProduct(
        sku="MRC-ELE-008",
        name="Strata 14 Ultralight Laptop",
        description=(
            "A 1.2 kg laptop with a 14-inch high-resolution screen, 16 GB of memory and an "
            "all-day battery, in a recycled aluminium unibody."
        ),
        price=Decimal("1299.00"),
        stock=4,
        category_slug="electronics",
        image="strata-14-ultralight-laptop",
    ),
    # Home & Kitchen
    DemoProduct(
        sku="MRC-HOM-001",
        name="Ember Cast Iron Skillet",
        description=(
            "A pre-seasoned 26 cm cast iron skillet that goes from hob to oven to table. "
            "Holds heat for a perfect sear and lasts for generations."
        ),
        price=Decimal("44.95"),
        stock=76,
        category_slug="home-kitchen",
        image="ember-cast-iron-skillet",
    ),
    DemoProduct(
        sku="MRC-HOM-002",
        name="Brio Stainless Steel Kettle",
        description=(
            "A 1.7 litre electric kettle in brushed stainless steel with variable temperature "
            "for green tea, coffee and everything in between."
        ),
        price=Decimal("59.00"),
        stock=95,
        category_slug="home-kitchen",
        image="brio-stainless-steel-kettle",
    ),
    DemoProduct(
        sku="MRC-HOM-003",
        name="Copperline Salt & Pepper Grinder Set",
        description=(
            "A pair of adjustable grinders with ceramic burrs and copper-finished bodies. "
            "Twist the top from fine to coarse."
        ),
        price=Decimal("34.50"),
        stock=58,
        category_slug="home-kitchen",
        image="copperline-salt-pepper-grinder-set",
    ),
    DemoProduct(
        sku="MRC-HOM-004",
        name="Hearth Cotton Bath Towel Set",
        description=(
            "Four plush bath towels woven from long-staple Turkish cotton. "
            "Soft, quick to dry and machine washable."
        ),
        price=Decimal("49.99"),
        stock=140,
        category_slug="home-kitchen",
        image="hearth-cotton-bath-towel-set",
    ),
    DemoProduct(
        sku="MRC-HOM-005",
        name="Crema Espresso Machine",
        description=(
            "A 15-bar espresso machine with a stainless steel steam wand for silky milk. "
            "Heats up in 40 seconds and fits neatly under kitchen cabinets."
        ),
        price=Decimal("349.00"),
        stock=3,
        category_slug="home-kitchen",
        image="crema-espresso-machine",
    ),
    DemoProduct(
        sku="MRC-HOM-006",
        name="Koa Bamboo Cutting Board",
        description=(
            "A thick bamboo cutting board with a juice groove and easy-grip handles. "
            "Gentle on knife edges and naturally water resistant."
        ),
        price=Decimal("24.00"),
        stock=167,
        category_slug="home-kitchen",
        image="koa-bamboo-cutting-board",
    ),
    DemoProduct(
        sku="MRC-HOM-007",
        name="Linden Linen Duvet Cover",
        description=(
            "A stonewashed linen duvet cover that gets softer with every wash. "
            "Breathable in summer, cosy in winter; double size with two pillowcases."
        ),
        price=Decimal("129.00"),
        stock=31,
        category_slug="home-kitchen",
        image="linden-linen-duvet-cover",
    ),
    DemoProduct(
        sku="MRC-HOM-008",
        name="Vapor Cordless Stick Vacuum",
        description=(
            "A lightweight cordless vacuum with 45 minutes of runtime and a washable filter. "
            "Converts to a handheld for stairs and car seats."
        ),
        price=Decimal("249.99"),
        stock=19,
        category_slug="home-kitchen",
        image="vapor-cordless-stick-vacuum",
    ),
    # Books
    DemoProduct(
        sku="MRC-BOO-001",
        name="The Cartographer's Daughter",
        description=(
            "A sweeping historical novel about a mapmaker's daughter who charts a coastline "
            "no one believes exists. Hardcover, 432 pages."
        ),
        price=Decimal("26.99"),
        stock=88,
        category_slug="books",
        image="the-cartographers-daughter",
    ),
    DemoProduct(
        sku="MRC-BOO-002",
        name="Field Guide to Night Skies",
        description=(
            "Star charts, moon maps and seasonal guides for backyard astronomers. "
            "Spiral-bound paperback that lies flat on a picnic table."
        ),
        price=Decimal("18.50"),
        stock=61,
        category_slug="books",
        image="field-guide-to-night-skies",
    ),
    DemoProduct(
        sku="MRC-BOO-003",
        name="Cooking with Fire: A Grill Primer",
        description=(
            "Eighty recipes and techniques for charcoal, gas and open-fire cooking, "
            "from perfect steaks to smoky vegetables."
        ),
        price=Decimal("32.00"),
        stock=45,
        category_slug="books",
        image="cooking-with-fire-a-grill-primer",
    ),
    DemoProduct(
        sku="MRC-BOO-004",
        name="Small Gardens, Big Harvests",
        description=(
            "A practical handbook for growing vegetables and herbs on balconies, patios and "
            "window sills, with planting calendars for every season."
        ),
        price=Decimal("21.95"),
        stock=2,
        category_slug="books",
        image="small-gardens-big-harvests",
    ),
    DemoProduct(
        sku="MRC-BOO-005",
        name="The Minimalist Budget",
        description=(
            "A friendly guide to spending less on things and more on what matters, "
            "with worksheets for tracking money month by month. Paperback."
        ),
        price=Decimal("14.99"),
        stock=130,
        category_slug="books",
        image="the-minimalist-budget",
    ),
    DemoProduct(
        sku="MRC-BOO-006",
        name="Tides of Ashfall",
        description=(
            "Book one of an epic fantasy trilogy: a volcano awakens, an island empire "
            "fractures, and a young navigator must choose a side."
        ),
        price=Decimal("19.99"),
        stock=74,
        category_slug="books",
        image="tides-of-ashfall",
    ),
    DemoProduct(
        sku="MRC-BOO-007",
        name="Little Fox Finds Home",
        description=(
            "A gently illustrated picture book about a fox cub finding its way back through "
            "the forest. Sturdy board pages for little hands."
        ),
        price=Decimal("9.99"),
        stock=156,
        category_slug="books",
        image="little-fox-finds-home",
    ),
    # Clothing
    DemoProduct(
        sku="MRC-CLO-001",
        name="Harbor Organic Cotton T-Shirt",
        description=(
            "A classic crew-neck tee in heavyweight organic cotton that keeps its shape "
            "wash after wash. Available in six colours."
        ),
        price=Decimal("24.00"),
        stock=250,
        category_slug="clothing",
        image="harbor-organic-cotton-t-shirt",
    ),
    DemoProduct(
        sku="MRC-CLO-002",
        name="Summit Merino Wool Sweater",
        description=(
            "A fine-knit merino wool sweater that is warm without bulk and naturally "
            "odour resistant. Layer it under a jacket or wear it on its own."
        ),
        price=Decimal("98.00"),
        stock=0,
        category_slug="clothing",
        image="summit-merino-wool-sweater",
    ),
    DemoProduct(
        sku="MRC-CLO-003",
        name="Drift Slim Denim Jeans",
        description=(
            "Slim-fit jeans cut from stretch cotton denim for all-day comfort, "
            "finished with a classic five-pocket design."
        ),
        price=Decimal("69.50"),
        stock=112,
        category_slug="clothing",
        image="drift-slim-denim-jeans",
    ),
    DemoProduct(
        sku="MRC-CLO-004",
        name="Nomad Waterproof Rain Jacket",
        description=(
            "A packable, breathable rain jacket with taped seams and an adjustable hood. "
            "Folds into its own pocket for travel."
        ),
        price=Decimal("139.00"),
        stock=37,
        category_slug="clothing",
        image="nomad-waterproof-rain-jacket",
    ),
    DemoProduct(
        sku="MRC-CLO-005",
        name="Loom Cotton Crew Socks",
        description=(
            "A three-pack of cushioned crew socks in combed cotton with a reinforced heel "
            "and toe. Soft, breathable and built to last."
        ),
        price=Decimal("14.00"),
        stock=228,
        category_slug="clothing",
        image="loom-cotton-crew-socks",
    ),
    DemoProduct(
        sku="MRC-CLO-006",
        name="Cedar Full-Grain Leather Belt",
        description=(
            "A full-grain leather belt with a solid brass buckle that ages beautifully. "
            "Cut, stitched and finished by hand."
        ),
        price=Decimal("45.00"),
        stock=66,
        category_slug="clothing",
        image="cedar-full-grain-leather-belt",
    ),
    DemoProduct(
        sku="MRC-CLO-007",
        name="Breeze Linen Button-Down Shirt",
        description=(
            "A relaxed button-down shirt in washed European linen. Light and breathable "
            "for warm days, with mother-of-pearl buttons."
        ),
        price=Decimal("59.00"),
        stock=48,
        category_slug="clothing",
        image="breeze-linen-button-down-shirt",
    ),
    DemoProduct(
        sku="MRC-CLO-008",
        name="Alder Quilted Puffer Vest",
        description=(
            "A lightweight quilted vest with recycled synthetic insulation and a water-repellent "
            "shell. Zipped hand pockets keep essentials secure."
        ),
        price=Decimal("79.00"),
        stock=29,
        category_slug="clothing",
        image="alder-quilted-puffer-vest",
    ),
    # Sports & Outdoors
    DemoProduct(
        sku="MRC-SPO-001",
        name="Trailhead 40L Hiking Backpack",
        description=(
            "A 40-litre hiking pack with a ventilated back panel, padded hip belt and "
            "integrated rain cover. Room for a weekend in the hills."
        ),
        price=Decimal("129.00"),
        stock=34,
        category_slug="sports-outdoors",
        image="trailhead-40l-hiking-backpack",
    ),
    DemoProduct(
        sku="MRC-SPO-002",
        name="Frost Stainless Steel Water Bottle",
        description=(
            "A double-walled stainless steel bottle that keeps drinks cold for 24 hours or "
            "hot for 12. Leak-proof lid, 750 ml."
        ),
        price=Decimal("27.99"),
        stock=190,
        category_slug="sports-outdoors",
        image="frost-stainless-steel-water-bottle",
    ),
    DemoProduct(
        sku="MRC-SPO-003",
        name="Apex Non-Slip Yoga Mat",
        description=(
            "A 6 mm yoga mat in natural tree rubber with a grippy, sweat-resistant surface "
            "and alignment lines. Comes with a cotton carrying strap."
        ),
        price=Decimal("54.00"),
        stock=83,
        category_slug="sports-outdoors",
        image="apex-non-slip-yoga-mat",
    ),
    DemoProduct(
        sku="MRC-SPO-004",
        name="Ridge 2-Person Dome Tent",
        description=(
            "A freestanding three-season tent that pitches in five minutes. "
            "Two doors, two vestibules and a weight of just 1.8 kg."
        ),
        price=Decimal("289.00"),
        stock=0,
        category_slug="sports-outdoors",
        image="ridge-2-person-dome-tent",
    ),
    DemoProduct(
        sku="MRC-SPO-005",
        name="Velo Adjustable Dumbbell Pair",
        description=(
            "Two dumbbells that adjust from 2 to 24 kg with a turn of the dial, "
            "replacing fifteen pairs of weights in a compact home gym."
        ),
        price=Decimal("379.00"),
        stock=12,
        category_slug="sports-outdoors",
        image="velo-adjustable-dumbbell-pair",
    ),
    DemoProduct(
        sku="MRC-SPO-006",
        name="Kestrel Trail Running Shoes",
        description=(
            "Lightweight trail shoes with a grippy lugged outsole, a protective toe cap and "
            "a breathable mesh upper that drains quickly."
        ),
        price=Decimal("134.95"),
        stock=57,
        category_slug="sports-outdoors",
        image="kestrel-trail-running-shoes",
    ),
    DemoProduct(
        sku="MRC-SPO-007",
        name="Glow Rechargeable Headlamp",
        description=(
            "A 400-lumen headlamp with a red night-vision mode and USB-C charging. "
            "Weatherproof for early starts and late finishes."
        ),
        price=Decimal("39.00"),
        stock=121,
        category_slug="sports-outdoors",
        image="glow-rechargeable-headlamp",
    ),
    # Toys & Games
    DemoProduct(
        sku="MRC-TOY-001",
        name="Tinker Wooden Building Blocks",
        description=(
            "Sixty solid beech blocks in classic shapes, finished with non-toxic water-based "
            "paint. Comes in a wooden storage crate."
        ),
        price=Decimal("42.00"),
        stock=73,
        category_slug="toys-games",
        image="tinker-wooden-building-blocks",
    ),
    DemoProduct(
        sku="MRC-TOY-002",
        name="Quest & Castle Strategy Game",
        description=(
            "A board game of castles, alliances and daring quests for two to five players. "
            "Games last about an hour; ages 10 and up."
        ),
        price=Decimal("49.00"),
        stock=39,
        category_slug="toys-games",
        image="quest-castle-strategy-game",
    ),
    DemoProduct(
        sku="MRC-TOY-003",
        name="Zoomer Remote Control Car",
        description=(
            "An off-road remote control car with shock-absorbing suspension and a "
            "rechargeable battery. Reaches 25 km/h on grass, gravel and sand."
        ),
        price=Decimal("64.99"),
        stock=52,
        category_slug="toys-games",
        image="zoomer-remote-control-car",
    ),
    DemoProduct(
        sku="MRC-TOY-004",
        name="Cosmo 1000-Piece Jigsaw Puzzle",
        description=(
            "A 1000-piece jigsaw of a star-filled nebula, printed on thick recycled board "
            "with a linen finish that reduces glare."
        ),
        price=Decimal("19.50"),
        stock=67,
        category_slug="toys-games",
        image="cosmo-1000-piece-jigsaw-puzzle",
    ),
    DemoProduct(
        sku="MRC-TOY-005",
        name="Doodle Magnetic Drawing Board",
        description=(
            "A mess-free magnetic drawing board with a stylus and four stamps. "
            "Slide the eraser bar to start again."
        ),
        price=Decimal("16.99"),
        stock=144,
        category_slug="toys-games",
        image="doodle-magnetic-drawing-board",
    ),
    DemoProduct(
        sku="MRC-TOY-006",
        name="Pip Plush Teddy Bear",
        description=(
            "A huggable 30 cm teddy bear in soft organic cotton with embroidered eyes, "
            "safe from birth. Machine washable."
        ),
        price=Decimal("22.00"),
        stock=98,
        category_slug="toys-games",
        image="pip-plush-teddy-bear",
    ),
    DemoProduct(
        sku="MRC-TOY-007",
        name="Sprout Kids Science Kit",
        description=(
            "Twenty hands-on experiments with crystals, volcanoes and slime, with "
            "illustrated cards that explain the science behind each one."
        ),
        price=Decimal("34.99"),
        stock=1,
        category_slug="toys-games",
        image="sprout-kids-science-kit",
    ),
    # Beauty
    DemoProduct(
        sku="MRC-BEA-001",
        name="Bloom Vitamin C Serum",
        description=(
            "A lightweight brightening serum with 15% vitamin C and hyaluronic acid. "
            "Evens skin tone and adds glow in a few weeks."
        ),
        price=Decimal("32.00"),
        stock=109,
        category_slug="beauty",
        image="bloom-vitamin-c-serum",
    ),
    DemoProduct(
        sku="MRC-BEA-002",
        name="Velvet Matte Lipstick",
        description=(
            "A creamy matte lipstick with long-lasting colour that never feels dry, "
            "enriched with shea butter. Twelve shades."
        ),
        price=Decimal("18.00"),
        stock=176,
        category_slug="beauty",
        image="velvet-matte-lipstick",
    ),
    DemoProduct(
        sku="MRC-BEA-003",
        name="Dew Hydrating Face Cream",
        description=(
            "A rich daily moisturiser with ceramides and squalane that restores the skin "
            "barrier. Fragrance-free for sensitive skin."
        ),
        price=Decimal("27.50"),
        stock=92,
        category_slug="beauty",
        image="dew-hydrating-face-cream",
    ),
    DemoProduct(
        sku="MRC-BEA-004",
        name="Aura Ionic Hair Dryer",
        description=(
            "A powerful ionic hair dryer that cuts drying time and frizz, with three heat "
            "settings, a cool shot and a concentrator nozzle."
        ),
        price=Decimal("89.00"),
        stock=44,
        category_slug="beauty",
        image="aura-ionic-hair-dryer",
    ),
    DemoProduct(
        sku="MRC-BEA-005",
        name="Sage Charcoal Clay Mask",
        description=(
            "A purifying mask of kaolin clay and activated charcoal that draws out impurities "
            "and leaves skin smooth. Ten minutes, twice a week."
        ),
        price=Decimal("16.00"),
        stock=81,
        category_slug="beauty",
        image="sage-charcoal-clay-mask",
    ),
    DemoProduct(
        sku="MRC-BEA-006",
        name="Marlow Cordless Beard Trimmer",
        description=(
            "A cordless trimmer with stainless steel blades and twenty length settings "
            "from stubble to full beard. Ninety minutes per charge."
        ),
        price=Decimal("54.99"),
        stock=63,
        category_slug="beauty",
        image="marlow-cordless-beard-trimmer",
    ),
    DemoProduct(
        sku="MRC-BEA-007",
        name="Petal Rose Body Wash",
        description=(
            "A gentle, sulphate-free body wash scented with rose and geranium oils. "
            "500 ml in a recyclable bottle."
        ),
        price=Decimal("12.50"),
        stock=210,
        category_slug="beauty",
        image="petal-rose-body-wash",
    ),
    # Garden
    DemoProduct(
        sku="MRC-GAR-001",
        name="Verdant Stainless Steel Trowel",
        description=(
            "A rust-proof stainless steel hand trowel with depth markings and an ash "
            "wood handle. Sharp enough for clay, gentle on bulbs."
        ),
        price=Decimal("19.00"),
        stock=134,
        category_slug="garden",
        image="verdant-stainless-steel-trowel",
    ),
    DemoProduct(
        sku="MRC-GAR-002",
        name="Rainmaker Expanding Garden Hose",
        description=(
            "A 30-metre hose that expands with water pressure and shrinks back for storage, "
            "with a ten-pattern spray nozzle."
        ),
        price=Decimal("39.99"),
        stock=71,
        category_slug="garden",
        image="rainmaker-expanding-garden-hose",
    ),
    DemoProduct(
        sku="MRC-GAR-003",
        name="Terra Ceramic Planter Set",
        description=(
            "Three glazed ceramic planters in graduated sizes with drainage holes and "
            "matching saucers, for herbs, succulents or houseplants."
        ),
        price=Decimal("46.00"),
        stock=27,
        category_slug="garden",
        image="terra-ceramic-planter-set",
    ),
    DemoProduct(
        sku="MRC-GAR-004",
        name="Solstice Solar Path Lights",
        description=(
            "A set of eight solar path lights that charge by day and glow warm white for up "
            "to ten hours at night. No wiring needed."
        ),
        price=Decimal("36.50"),
        stock=102,
        category_slug="garden",
        image="solstice-solar-path-lights",
    ),
    DemoProduct(
        sku="MRC-GAR-005",
        name="Thorn Bypass Pruning Shears",
        description=(
            "Precision pruning shears with hardened stainless steel blades, a sap groove "
            "and ergonomic grips. Cuts branches up to 20 mm."
        ),
        price=Decimal("28.00"),
        stock=88,
        category_slug="garden",
        image="thorn-bypass-pruning-shears",
    ),
    DemoProduct(
        sku="MRC-GAR-006",
        name="Haven Cedar Raised Garden Bed",
        description=(
            "A raised bed of untreated western red cedar that resists rot naturally. "
            "Slots together without tools; 120 by 60 cm."
        ),
        price=Decimal("159.00"),
        stock=0,
        category_slug="garden",
        image="haven-cedar-raised-garden-bed",
    ),
    DemoProduct(
        sku="MRC-GAR-007",
        name="Meadow Wildflower Seed Mix",
        description=(
            "A pollinator-friendly mix of twenty native wildflowers that covers 10 square "
            "metres. Sow in spring or autumn for bees and butterflies."
        ),
        price=Decimal("4.99"),
        stock=245,
        category_slug="garden",
        image="meadow-wildflower-seed-mix",
    ),
    DemoProduct(
        sku="MRC-GAR-008",
        name="Cascade Cordless Leaf Blower",
        description=(
            "A quiet cordless leaf blower with variable speed and a turbo boost, running up to "
            "40 minutes on one battery."
        ),
        price=Decimal("169.00"),
        stock=15,
        category_slug="garden",
        image="cascade-cordless-leaf-blower",
    ),
)


IMAGES: dict[str, tuple[str, str]] = {
    product.image: (product.name, product.category_slug) for product in PRODUCTS
}


def image_path(key: str) -> str:
    """The URL path the products service serves an image key's placeholder at."""
    return f"/api/products/images/{key}.svg"
