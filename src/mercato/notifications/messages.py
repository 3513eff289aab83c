"""The messages this service sends: each template with the data it renders, and the composer
that turns a template and its data into a notification's title, text and HTML.

A template's data is declared here, field by field, so a missing or malformed value is a 422
naming it, both for an admin's `POST /api/notifications` and for an event's payload, instead
of a blank in a sent email.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError

from mercato.kit.mail import EmailRenderer
from mercato.kit.types import CENT
from mercato.notifications.errors import InvalidTemplateData


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)


Amount = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999.99")), AfterValidator(_cents)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Link = Annotated[str, StringConstraints(max_length=2048, pattern=r"^https?://[^\s]+$")]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortLine = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]

# What a shopper reads for the mock processor's methods (payments' `payment_method`).
PAYMENT_METHODS = {
    "pm_card_visa": "Visa card",
    "pm_card_mastercard": "Mastercard card",
}


class TemplateData(BaseModel):
    """Fields a template renders; anything else in the data is kept but not read."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class AccountLinkData(TemplateData):
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
    link_hours: Annotated[int, Field(ge=1, le=10_000, strict=True)]


class VerificationData(AccountLinkData):
    verification_link: Link


class PasswordResetData(AccountLinkData):
    reset_link: Link


class Address(TemplateData):
    name: ShortLine | None = None
    line1: Line
    line2: ShortLine | None = None
    city: Line
    region: ShortLine | None = None
    postal_code: ShortLine | None = None
    country: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=56)]

    @property
    def lines(self) -> list[str]:
        """The address as it is written on a parcel, one line each."""
        town = " ".join(part for part in (self.postal_code, self.city) if part)
        parts = (self.name, self.line1, self.line2, town, self.region, self.country)
        return [part for part in parts if part]


class OrderLine(TemplateData):
    name: Line
    sku: ShortLine
    quantity: Annotated[int, Field(ge=1, le=1_000_000, strict=True)]
    unit_price: Amount
    line_total: Amount


class PaymentDetails(TemplateData):
    id: Line
    payment_method: Line
    transaction_id: ShortLine | None = None

    @property
    def method_label(self) -> str:
        return PAYMENT_METHODS.get(self.payment_method, self.payment_method)


class OrderConfirmationData(TemplateData):
    order_number: Line
    total_amount: Amount
    currency: Currency
    items: Annotated[list[OrderLine], Field(min_length=1, max_length=1000)]
    shipping_address: Address
    payment: PaymentDetails
    order_url: Link


class OrderCancelledData(TemplateData):
    order_number: Line
    reason: Reason | None = None
    total_amount: Amount
    currency: Currency
    refunded: Annotated[bool, Field(strict=True)]
    order_url: Link


class OrderShippedData(TemplateData):
    order_number: Line
    shipping_address: Address
    order_url: Link


class RefundReceiptData(TemplateData):
    refund_id: Line
    payment_id: Line
    order_id: uuid.UUID
    amount: Amount
    currency: Currency
    refunded_total: Amount
    remaining: Amount
    reason: Reason | None = None


TemplateName = Literal[
    "welcome",
    "email_verification",
    "password_reset",
    "order_confirmation",
    "order_cancelled",
    "order_shipped",
    "refund_receipt",
]
TEMPLATES: dict[str, type[TemplateData]] = {
    "welcome": VerificationData,
    "email_verification": VerificationData,
    "password_reset": PasswordResetData,
    "order_confirmation": OrderConfirmationData,
    "order_cancelled": OrderCancelledData,
    "order_shipped": OrderShippedData,
    "refund_receipt": RefundReceiptData,
}


D = TypeVar("D", bound=TemplateData)


def parse_data(model: type[D], data: Mapping[str, Any], *, field: str) -> D:
    """`data` checked against `model`; a 422 names each bad field under `field`."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise InvalidTemplateData(exc.errors(), field) from exc


@dataclass(frozen=True)
class Rendered:
    title: str
    text: str
    html: str


class Composer:
    """Renders `templates/` with the data each template declares (kit.mail.EmailRenderer)."""

    def __init__(self, web_url: str) -> None:
        self.renderer = EmailRenderer("mercato.notifications")
        self.web_url = web_url.rstrip("/")

    def validate(self, template: str, data: Mapping[str, Any], *, field: str) -> TemplateData:
        """The template's data, checked; `field` names where it came from in a 422."""
        return parse_data(TEMPLATES[template], data, field=field)

    def compose(self, template: str, data: TemplateData) -> Rendered:
        # The data's own fields (nested models stay objects, so templates may use their
        # properties), plus the storefront's address for links the data does not carry.
        context: dict[str, Any] = {**dict(data), "web_url": self.web_url}
        title, text, html = self.renderer.render(template, context)
        return Rendered(title=title, text=text, html=html)

    def free_form(self, title: str, message: str) -> Rendered:
        """An admin's own words, in the shop's HTML frame."""
        page = self.renderer.environment.get_template("_message.html.j2")
        html = page.render({"title": title, "message": message})
        return Rendered(title=" ".join(title.split()), text=message, html=html)
