"""FastAPI dependencies of the orders service, beside the kit's."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from mercato.orders.cancellation import Cancellations
from mercato.orders.checkout import Checkout


async def get_checkout(request: Request) -> Checkout:
    checkout: Checkout = request.app.state.checkout
    return checkout


async def get_cancellations(request: Request) -> Cancellations:
    cancellations: Cancellations = request.app.state.cancellations
    return cancellations


CheckoutSaga = Annotated[Checkout, Depends(get_checkout)]
CancellationSaga = Annotated[Cancellations, Depends(get_cancellations)]
