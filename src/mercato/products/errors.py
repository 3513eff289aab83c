"""The products service's failures, each with a stable `code` clients can branch on."""

from __future__ import annotations

from typing import Any

from mercato.kit.errors import Conflict, NotFound, ValidationFailed


class ProductNotFound(NotFound):
    code = "product_not_found"

    def __init__(self) -> None:
        super().__init__("No such product.")


class DuplicateSku(Conflict):
    code = "duplicate_sku"

    def __init__(self, sku: str) -> None:
        super().__init__(f"A product with SKU {sku!r} already exists.")


class CategoryNotFound(NotFound):
    code = "category_not_found"

    def __init__(self) -> None:
        super().__init__("No such category.")


class DuplicateSlug(Conflict):
    code = "duplicate_slug"

    def __init__(self, slug: str) -> None:
        super().__init__(f"A category with slug {slug!r} already exists.")


class UnknownCategory(ValidationFailed):
    code = "unknown_category"

    def __init__(self) -> None:
        super().__init__("category_id", "no such category")


class ReservationNotFound(NotFound):
    code = "reservation_not_found"

    def __init__(self) -> None:
        super().__init__("No reservation for this order.")


class ReservationMismatch(Conflict):
    code = "reservation_mismatch"

    def __init__(self) -> None:
        super().__init__("This order already holds a reservation with other lines.")


class ReservationReleased(Conflict):
    code = "reservation_released"

    def __init__(self) -> None:
        super().__init__("The reservation was released; its stock is no longer held.")


class InsufficientStock(Conflict):
    """409 with the short lines, so the shopper can be told which items ran out."""

    code = "insufficient_stock"

    def __init__(self, short: list[dict[str, Any]]) -> None:
        super().__init__("Not enough stock for some lines.", extra={"short": short})


class UnavailableProducts(ValidationFailed):
    """422 naming the first line whose product is unknown, deleted or withdrawn."""

    code = "unknown_product"

    def __init__(self, index: int) -> None:
        super().__init__(f"lines.{index}.product_id", "no such product for sale")
