"""Refunds: `POST /internal/refunds` (by order, for the orders service) and the admin's
`POST /api/payments/{id}/refund`. Never more than was charged, however many race; once per
key; one `payment.refunded` event per refund."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from harness import bearer
from mercato.kit.settings import Settings

from .support import (
    SERVICE,
    client_for,
    make_payment,
    new_id,
    refund_count,
    refund_events,
    refund_order,
)

ADMIN = bearer("admin")


async def admin_refund(
    client: httpx.AsyncClient,
    payment_id: str,
    body: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return await client.post(
        f"/api/payments/{payment_id}/refund",
        json=body if body is not None else {},
        headers={"Idempotency-Key": key or new_id(), **(headers or ADMIN)},
    )


class TestRefundByOrder:
    async def test_part_then_the_rest(self, client: httpx.AsyncClient) -> None:
        payment = await make_payment(client, amount="10.00")

        part = await refund_order(client, payment["order_id"], "4.00", reason="damaged box")
        rest = await refund_order(client, payment["order_id"])
        nothing = await refund_order(client, payment["order_id"])

        assert part.status_code == 201, part.text
        assert part.json()["refund"]["amount"] == "4.00"
        assert part.json()["refund"]["reason"] == "damaged box"
        assert part.json()["refund"]["status"] == "succeeded"
        assert part.json()["payment"]["status"] == "partially_refunded"
        assert part.json()["payment"]["refunded_amount"] == "4.00"
        assert rest.status_code == 201
        assert rest.json()["refund"]["amount"] == "6.00"
        assert rest.json()["payment"]["status"] == "refunded"
        assert rest.json()["payment"]["refunded_amount"] == "10.00"
        assert [r["amount"] for r in rest.json()["payment"]["refunds"]] == ["4.00", "6.00"]
        assert nothing.status_code == 200
        assert nothing.json()["refund"] is None
        assert nothing.json()["payment"]["status"] == "refunded"

    async def test_more_than_remains_is_refused(self, client: httpx.AsyncClient) -> None:
        payment = await make_payment(client, amount="10.00")
        await refund_order(client, payment["order_id"], "7.50")

        response = await refund_order(client, payment["order_id"], "2.51")

        assert response.status_code == 409
        assert response.json()["code"] == "refund_exceeds_remaining"
        assert response.json()["remaining"] == "2.50"

    async def test_an_amount_once_fully_refunded_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        payment = await make_payment(client, amount="3.00")
        await refund_order(client, payment["order_id"])

        response = await refund_order(client, payment["order_id"], "0.01")

        assert response.status_code == 409
        assert response.json()["code"] == "refund_exceeds_remaining"

    async def test_an_order_without_a_successful_payment_is_not_found(
        self, client: httpx.AsyncClient
    ) -> None:
        declined = await make_payment(client, payment_method="pm_card_chargeDeclined")

        for order_id in (new_id(), declined["order_id"]):
            response = await refund_order(client, order_id)
            assert response.status_code == 404
            assert response.json()["code"] == "payment_not_found"

    async def test_thirty_racing_refunds_never_exceed_the_payment(
        self, client: httpx.AsyncClient
    ) -> None:
        payment = await make_payment(client, amount="10.00")

        answers = await asyncio.gather(
            *(refund_order(client, payment["order_id"], "1.00") for _ in range(30))
        )

        assert sorted(a.status_code for a in answers) == [201] * 10 + [409] * 20
        final = (await refund_order(client, payment["order_id"])).json()["payment"]
        assert final["refunded_amount"] == final["amount"] == "10.00"
        assert final["status"] == "refunded"
        assert len(final["refunds"]) == 10

    async def test_a_repeated_key_refunds_once(
        self, client: httpx.AsyncClient, payments_app: FastAPI
    ) -> None:
        payment = await make_payment(client, amount="10.00")
        key = f"cancel:{payment['order_id']}"

        first = await refund_order(client, payment["order_id"], key=key)
        again = await refund_order(client, payment["order_id"], key=key)

        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json() == first.json()
        assert await refund_count(payments_app, payment["id"]) == 1

    async def test_racing_requests_with_one_key_refund_once(
        self, client: httpx.AsyncClient, payments_app: FastAPI
    ) -> None:
        payment = await make_payment(client, amount="10.00")
        key = new_id()

        answers = await asyncio.gather(
            *(refund_order(client, payment["order_id"], "2.00", key=key) for _ in range(10))
        )

        assert sorted(a.status_code for a in answers) == [200] * 9 + [201]
        assert len({a.json()["refund"]["id"] for a in answers}) == 1
        assert await refund_count(payments_app, payment["id"]) == 1

    async def test_a_key_reused_for_another_refund_is_a_mismatch(
        self, client: httpx.AsyncClient
    ) -> None:
        payment = await make_payment(client, amount="10.00")
        other = await make_payment(client, amount="10.00")
        key = new_id()
        await refund_order(client, payment["order_id"], "1.00", key=key)

        for order_id, amount in ((payment["order_id"], "2.00"), (other["order_id"], "1.00")):
            response = await refund_order(client, order_id, amount, key=key)
            assert response.status_code == 409
            assert response.json()["code"] == "refund_mismatch"

    async def test_each_refund_is_announced_once(
        self, client: httpx.AsyncClient, payments_app: FastAPI
    ) -> None:
        payment = await make_payment(client, amount="10.00")
        key = new_id()
        first = await refund_order(client, payment["order_id"], "2.50", key=key, reason="late")
        await refund_order(client, payment["order_id"], "2.50", key=key, reason="late")
        rest = await refund_order(client, payment["order_id"])

        events = await refund_events(payments_app, payment["id"])

        assert events == [
            {
                "refund_id": first.json()["refund"]["id"],
                "payment_id": payment["id"],
                "order_id": payment["order_id"],
                "user_id": payment["user_id"],
                "amount": "2.50",
                "currency": "USD",
                "refunded_total": "2.50",
                "remaining": "7.50",
                "reason": "late",
            },
            {
                "refund_id": rest.json()["refund"]["id"],
                "payment_id": payment["id"],
                "order_id": payment["order_id"],
                "user_id": payment["user_id"],
                "amount": "7.50",
                "currency": "USD",
                "refunded_total": "10.00",
                "remaining": "0.00",
                "reason": None,
            },
        ]

    @pytest.mark.parametrize(
        "change",
        [
            {"amount": "0"},
            {"amount": "-5"},
            {"amount": "1.234"},
            {"amount": False},
            {"order_id": "123"},
            {"reason": "x" * 501},
            {"reason": "nul\x00"},
            {"key": None},
            {"extra": 1},
        ],
    )
    async def test_bad_refunds_are_refused(
        self, client: httpx.AsyncClient, change: dict[str, object]
    ) -> None:
        body = {"key": new_id(), "order_id": new_id(), "amount": "1.00", **change}
        response = await client.post(
            "/internal/refunds", json=body, headers={"X-Service-Token": "wrong"}
        )
        assert response.status_code == 401  # the credential is checked first

        response = await client.post("/internal/refunds", json=body, headers=SERVICE)
        assert response.status_code == 422, response.text


class TestAdminRefund:
    async def test_an_admin_refunds_part_then_the_rest(self, client: httpx.AsyncClient) -> None:
        payment = await make_payment(client, amount="20.00")

        part = await admin_refund(client, payment["id"], {"amount": 5, "reason": "goodwill"})
        rest = await admin_refund(client, payment["id"])

        assert part.status_code == 201, part.text
        refund = part.json()
        assert refund["payment_id"] == payment["id"]
        assert refund["amount"] == "5.00"
        assert refund["status"] == "succeeded"
        assert refund["reason"] == "goodwill"
        assert uuid.UUID(refund["id"])
        assert rest.status_code == 201
        assert rest.json()["amount"] == "15.00"
        seen = (await client.get(f"/api/payments/{payment['id']}", headers=ADMIN)).json()
        assert seen["status"] == "refunded"
        assert [r["id"] for r in seen["refunds"]] == [refund["id"], rest.json()["id"]]

    async def test_more_than_remains_is_refused(self, client: httpx.AsyncClient) -> None:
        payment = await make_payment(client, amount="20.00")
        await admin_refund(client, payment["id"], {"amount": "19.99"})

        too_much = await admin_refund(client, payment["id"], {"amount": "0.02"})
        await admin_refund(client, payment["id"])
        nothing_left = await admin_refund(client, payment["id"])

        assert too_much.status_code == 409
        assert too_much.json()["code"] == "refund_exceeds_remaining"
        assert nothing_left.status_code == 409
        assert nothing_left.json()["code"] == "refund_exceeds_remaining"

    async def test_a_failed_payment_has_nothing_to_refund(self, client: httpx.AsyncClient) -> None:
        failed = await make_payment(client, payment_method="pm_card_chargeDeclined")

        response = await admin_refund(client, failed["id"])

        assert response.status_code == 409
        assert response.json()["code"] == "payment_not_refundable"

    async def test_an_unknown_payment_is_not_found(self, client: httpx.AsyncClient) -> None:
        response = await admin_refund(client, new_id())

        assert response.status_code == 404
        assert response.json()["code"] == "payment_not_found"

    async def test_only_an_admin_may_refund(self, client: httpx.AsyncClient) -> None:
        payment = await make_payment(client)
        owner = bearer("customer", payment["user_id"])

        as_owner = await admin_refund(client, payment["id"], headers=owner)
        anonymous = await client.post(
            f"/api/payments/{payment['id']}/refund", json={}, headers={"Idempotency-Key": "k"}
        )

        assert as_owner.status_code == 403
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == "Bearer"

    async def test_the_idempotency_key_is_required(self, client: httpx.AsyncClient) -> None:
        payment = await make_payment(client)

        response = await client.post(
            f"/api/payments/{payment['id']}/refund", json={"amount": "1.00"}, headers=ADMIN
        )

        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]

    async def test_a_repeat_replays_the_refund_and_refunds_once(
        self, client: httpx.AsyncClient, payments_app: FastAPI
    ) -> None:
        payment = await make_payment(client, amount="20.00")
        admin = bearer("admin")

        first = await admin_refund(
            client, payment["id"], {"amount": "3.00"}, key="r1", headers=admin
        )
        again = await admin_refund(
            client, payment["id"], {"amount": "3.00"}, key="r1", headers=admin
        )

        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in first.headers
        assert await refund_count(payments_app, payment["id"]) == 1
        assert len(await refund_events(payments_app, payment["id"])) == 1

    async def test_a_key_reused_with_another_body_is_refused(
        self, client: httpx.AsyncClient, payments_app: FastAPI
    ) -> None:
        payment = await make_payment(client, amount="20.00")
        admin = bearer("admin")
        await admin_refund(client, payment["id"], {"amount": "3.00"}, key="r2", headers=admin)

        other = await admin_refund(
            client, payment["id"], {"amount": "4.00"}, key="r2", headers=admin
        )

        assert other.status_code == 422
        assert other.json()["code"] == "idempotency_key_reused"
        assert await refund_count(payments_app, payment["id"]) == 1

    async def test_keys_are_scoped_to_the_admin(self, client: httpx.AsyncClient) -> None:
        payment = await make_payment(client, amount="20.00")

        first = await admin_refund(
            client, payment["id"], {"amount": "1.00"}, key="shared", headers=bearer("admin")
        )
        second = await admin_refund(
            client, payment["id"], {"amount": "1.00"}, key="shared", headers=bearer("admin")
        )

        assert (first.status_code, second.status_code) == (201, 201)
        assert first.json()["id"] != second.json()["id"]

    async def test_a_refused_refund_leaves_the_key_free(self, client: httpx.AsyncClient) -> None:
        payment = await make_payment(client, amount="5.00")
        admin = bearer("admin")
        body = {"amount": "5.00"}
        await admin_refund(client, payment["id"], {"amount": "1.00"}, headers=admin)

        refused = await admin_refund(client, payment["id"], body, key="r3", headers=admin)
        refused_again = await admin_refund(client, payment["id"], body, key="r3", headers=admin)

        assert (refused.status_code, refused_again.status_code) == (409, 409)
        assert "idempotent-replayed" not in refused_again.headers

    async def test_racing_repeats_of_one_key_refund_once(
        self, client: httpx.AsyncClient, payments_app: FastAPI
    ) -> None:
        payment = await make_payment(client, amount="20.00")
        admin = bearer("admin")

        answers = await asyncio.gather(
            *(
                admin_refund(client, payment["id"], {"amount": "2.00"}, key="r4", headers=admin)
                for _ in range(10)
            )
        )

        assert {a.status_code for a in answers} <= {201, 409}
        assert {a.json()["id"] for a in answers if a.status_code == 201} != set()
        assert len({a.json()["id"] for a in answers if a.status_code == 201}) == 1
        assert await refund_count(payments_app, payment["id"]) == 1

    async def test_the_database_remembers_a_key_the_store_forgot(
        self,
        client: httpx.AsyncClient,
        payments_app: FastAPI,
        new_app: Callable[..., FastAPI],
        payments_settings: Settings,
    ) -> None:
        payment = await make_payment(client, amount="20.00")
        admin = bearer("admin")
        first = await admin_refund(
            client, payment["id"], {"amount": "3.00"}, key="r5", headers=admin
        )

        # The same database under an empty key-value store, as after the store lost its data.
        forgetful = new_app(kv_prefix=f"{payments_settings.kv_prefix}forgot-{new_id()}:")
        async with LifespanManager(forgetful), client_for(forgetful) as other:
            again = await admin_refund(
                other, payment["id"], {"amount": "3.00"}, key="r5", headers=admin
            )

        assert again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        assert await refund_count(payments_app, payment["id"]) == 1

    async def test_bad_bodies_are_refused(self, client: httpx.AsyncClient) -> None:
        payment = await make_payment(client)

        for body in ({"amount": True}, {"amount": "1.001"}, {"amount": 0}, {"why": "x"}):
            response = await admin_refund(client, payment["id"], body)
            assert response.status_code == 422, (body, response.text)
        not_a_uuid = await client.post(
            "/api/payments/42/refund", json={}, headers={**ADMIN, "Idempotency-Key": "k"}
        )
        assert not_a_uuid.status_code == 422

    async def test_an_admin_key_never_collides_with_an_internal_one(
        self, client: httpx.AsyncClient
    ) -> None:
        payment = await make_payment(client, amount="10.00")
        internal = await refund_order(client, payment["order_id"], "1.00", key="same-text")
        public = await admin_refund(client, payment["id"], {"amount": "1.00"}, key="same-text")

        assert (internal.status_code, public.status_code) == (201, 201)
        assert public.json()["id"] != internal.json()["refund"]["id"]
