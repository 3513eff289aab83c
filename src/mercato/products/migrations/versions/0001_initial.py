"""Categories, products with full-text search, and stock reservations.

Search is PostgreSQL's `tsvector` (a generated column under a GIN index) or SQLite's FTS5 (a
table kept in step by triggers); both stem English and weigh the name above the description.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mercato.kit.types import Money, UTCDateTime

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VISIBLE = sa.text("deleted_at IS NULL AND is_active")

# unaccent folds "Café" to "Cafe" (FTS5's remove_diacritics does the same on SQLite). It is
# a trusted extension: the database's owner may create it. Wrapped in an IMMUTABLE function,
# as a generated column requires; the query side calls the same function.
PG_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    """
    CREATE FUNCTION mercato_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
    """,
    # A SKU's parts are words of their own: PostgreSQL's parser would read "AB.XYZ.12/X" as
    # one file path and "ABC-123" as "abc" and the number "-123".
    """
    ALTER TABLE products ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', mercato_unaccent(name)), 'A')
        || setweight(to_tsvector('english', translate(sku, './_-', '    ')), 'A')
        || setweight(to_tsvector('english', mercato_unaccent(description)), 'C')
    ) STORED
    """,
]

SQLITE_SEARCH = [
    """
    CREATE VIRTUAL TABLE products_fts USING fts5(
        product_id UNINDEXED, name, sku, description,
        tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN
        INSERT INTO products_fts (product_id, name, sku, description)
        VALUES (new.id, new.name, new.sku, new.description);
    END
    """,
    """
    CREATE TRIGGER products_fts_update AFTER UPDATE OF name, sku, description ON products
    BEGIN
        DELETE FROM products_fts WHERE product_id = old.id;
        INSERT INTO products_fts (product_id, name, sku, description)
        VALUES (new.id, new.name, new.sku, new.description);
    END
    """,
    """
    CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN
        DELETE FROM products_fts WHERE product_id = old.id;
    END
    """,
]


def _visible_index(name: str, *columns: sa.TextClause | str) -> None:
    op.create_index(name, "products", list(columns), sqlite_where=VISIBLE, postgresql_where=VISIBLE)


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("slug", sa.String(100), nullable=False, unique=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price", Money(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("sold", sa.Integer(), nullable=False),
        sa.Column("image_url", sa.String(2048), nullable=True),
        sa.Column(
            "category_id",
            sa.String(36),
            sa.ForeignKey("categories.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("stock >= 0", name="ck_products_stock"),
        sa.CheckConstraint("reserved >= 0", name="ck_products_reserved"),
        sa.CheckConstraint("sold >= 0", name="ck_products_sold"),
        sa.CheckConstraint("price > 0", name="ck_products_price"),
    )
    deleted = sa.text("deleted_at IS NULL")
    op.create_index(
        "ix_products_sku",
        "products",
        ["sku"],
        unique=True,
        sqlite_where=deleted,
        postgresql_where=deleted,
    )
    _visible_index("ix_products_newest", sa.text("created_at DESC"), "id")
    _visible_index("ix_products_price", "price", "id")
    _visible_index("ix_products_name", sa.text("lower(name)"), "id")
    _visible_index("ix_products_category", "category_id", sa.text("created_at DESC"))

    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_SEARCH:
            op.execute(statement)
        op.create_index("ix_products_search", "products", ["search"], postgresql_using="gin")
    else:
        for statement in SQLITE_SEARCH:
            op.execute(statement)

    op.create_table(
        "reservations",
        sa.Column("order_id", sa.String(36), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    held = sa.text("status = 'held'")
    op.create_index(
        "ix_reservations_expiry",
        "reservations",
        ["expires_at"],
        sqlite_where=held,
        postgresql_where=held,
    )
    op.create_table(
        "reservation_lines",
        sa.Column(
            "order_id",
            sa.String(36),
            sa.ForeignKey("reservations.order_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("product_id", sa.String(36), sa.ForeignKey("products.id"), primary_key=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("unit_price", Money(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reservation_lines")
    op.drop_table("reservations")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE products_fts")
    op.drop_table("products")
    op.drop_table("categories")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION mercato_unaccent(text)")
