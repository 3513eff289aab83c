"""The products service's part of API.md, plus the internal reservation bodies."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from mercato.kit.schemas import Id, RequestModel, refuse_boolean

MAX_PRICE = Decimal("9999999999.99")  # NUMERIC(12,2)
MAX_STOCK = 1_000_000_000
MAX_QUANTITY = 100
MAX_LINES = 50
MAX_SKU = 64  # products.sku is VARCHAR(64)

# `stock` (lowest first) is for an admin watching what runs out; ties by name.
Sort = Literal["relevance", "price", "-price", "name", "-name", "newest", "stock"]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


def _fits_sku_column(sku: str) -> str:
    # Upper-casing can lengthen a SKU ("ß" -> "SS"); PostgreSQL would refuse the longer one.
    if len(sku) > MAX_SKU:
        raise ValueError(f"must have at most {MAX_SKU} characters once upper-cased")
    return sku


# Stored upper-cased: "mrc-001" and "MRC-001" are one SKU.
Sku = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_upper=True,
        min_length=1,
        max_length=MAX_SKU,
        pattern=r"^[\w.\-/]+$",
    ),
    AfterValidator(_fits_sku_column),
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Price = Annotated[Decimal, Field(gt=0, le=MAX_PRICE, decimal_places=2)]
Stock = Annotated[int, Field(ge=0, le=MAX_STOCK)]
# An absolute http(s) URL, or a path on this API (the demo catalog's images).
ImageUrl = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=2048, pattern=r"^(https?://[^\s]+|/[^\s/][^\s]*)$"
    ),
]
# Stored lower-cased. Pydantic matches the pattern before lowering, so it admits capitals.
Slug = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, pattern=r"^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$"
    ),
]


class Request(RequestModel):
    @field_validator("price", "stock", "quantity", "ttl_seconds", check_fields=False, mode="before")
    @classmethod
    def _no_booleans(cls, value: object) -> object:
        # A price or a stock level is never a boolean.
        return refuse_boolean(value)


class ProductCreate(Request):
    name: Name
    description: Description = ""
    price: Price
    currency: Currency = "USD"
    sku: Sku
    stock: Stock
    image_url: ImageUrl | None = None
    category_id: Id | None = None


class ProductUpdate(Request):
    """Only what is sent changes; `null` clears `image_url` and `category_id`."""

    name: Name | None = None
    description: Description | None = None
    price: Price | None = None
    currency: Currency | None = None
    sku: Sku | None = None
    stock: Stock | None = None
    image_url: ImageUrl | None = None
    category_id: Id | None = None
    is_active: bool | None = None

    @field_validator(
        "name", "description", "price", "currency", "sku", "stock", "is_active", mode="before"
    )
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be omitted but not null")
        return value


CategoryName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]
CategorySlug = Annotated[Slug, StringConstraints(min_length=1, max_length=100)]


class CategoryCreate(Request):
    name: CategoryName
    description: Description = ""
    slug: CategorySlug | None = None


class CategoryUpdate(Request):
    """Only what is sent changes; `is_active: false` withdraws the category from shoppers."""

    name: CategoryName | None = None
    description: Description | None = None
    slug: CategorySlug | None = None
    is_active: bool | None = None

    @field_validator("name", "description", "slug", "is_active", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be omitted but not null")
        return value

    @field_validator("is_active", mode="before")
    @classmethod
    def _a_real_boolean(cls, value: object) -> object:
        # Pydantic would take "yes", 1 or "off" for a boolean; a withdrawal is said plainly.
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value


class CategoryRef(BaseModel):
    id: str
    name: str
    slug: str


class ProductOut(BaseModel):
    id: str
    name: str
    description: str
    price: Decimal
    currency: str
    sku: str
    stock: int
    image_url: str | None
    category: CategoryRef | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class ProductPage(BaseModel):
    items: list[ProductOut]
    total: int
    page: int
    limit: int
    pages: int


class CategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    slug: str
    description: str
    is_active: bool
    product_count: int


class CategoryList(BaseModel):
    items: list[CategoryOut]


class ReservationLineIn(Request):
    product_id: Id
    quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY)]


class ReservationRequest(Request):
    order_id: Id
    lines: Annotated[list[ReservationLineIn], Field(min_length=1, max_length=MAX_LINES)]
    ttl_seconds: Annotated[int, Field(ge=1, le=7 * 86400)] | None = None


class ReservationLineOut(BaseModel):
    product_id: str
    name: str
    sku: str
    quantity: int
    unit_price: Decimal
    currency: str


class ReservationOut(BaseModel):
    order_id: str
    status: Literal["held", "confirmed", "released"]
    expires_at: datetime
    lines: list[ReservationLineOut]
