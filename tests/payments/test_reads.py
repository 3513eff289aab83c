"""`GET /api/payments` and `GET /api/payments/{id}`: a customer sees their own payments only
(another's answers 404, never 403); an admin sees everyone's."""

from __future__ import annotations

import httpx

from harness import bearer

from .support import make_payment, new_id, refund_order


async def test_the_owner_reads_a_payment_with_its_refunds(client: httpx.AsyncClient) -> None:
    payment = await make_payment(client, amount="30.00")
    refunded = (await refund_order(client, payment["order_id"], "5.00", reason="late")).json()

    response = await client.get(
        f"/api/payments/{payment['id']}", headers=bearer("customer", payment["user_id"])
    )

    assert response.status_code == 200
    assert response.json() == refunded["payment"]
    assert response.json()["refunds"] == [refunded["refund"]]


async def test_another_customer_gets_not_found(client: httpx.AsyncClient) -> None:
    payment = await make_payment(client)

    response = await client.get(f"/api/payments/{payment['id']}", headers=bearer())

    assert response.status_code == 404
    assert response.json()["code"] == "payment_not_found"


async def test_an_admin_reads_anyones_payment(client: httpx.AsyncClient) -> None:
    payment = await make_payment(client)

    response = await client.get(f"/api/payments/{payment['id']}", headers=bearer("admin"))

    assert response.status_code == 200
    assert response.json() == payment


async def test_unknown_and_malformed_ids(client: httpx.AsyncClient) -> None:
    unknown = await client.get(f"/api/payments/{new_id()}", headers=bearer("admin"))
    malformed = await client.get("/api/payments/not-a-uuid", headers=bearer("admin"))

    assert unknown.status_code == 404
    assert malformed.status_code == 422


async def test_reading_needs_a_token(client: httpx.AsyncClient) -> None:
    payment = await make_payment(client)

    assert (await client.get(f"/api/payments/{payment['id']}")).status_code == 401
    assert (await client.get("/api/payments")).status_code == 401


async def test_a_customer_lists_their_own_payments_newest_first(
    client: httpx.AsyncClient,
) -> None:
    user_id = new_id()
    mine = [await make_payment(client, user_id=user_id) for _ in range(3)]
    someone_elses = await make_payment(client)
    me = bearer("customer", user_id)

    first = await client.get("/api/payments", params={"limit": 2}, headers=me)
    second = await client.get("/api/payments", params={"limit": 2, "page": 2}, headers=me)

    assert first.status_code == 200
    assert {k: v for k, v in first.json().items() if k != "items"} == {
        "total": 3,
        "page": 1,
        "limit": 2,
        "pages": 2,
    }
    listed = [p["id"] for p in first.json()["items"] + second.json()["items"]]
    assert listed == [p["id"] for p in reversed(mine)]
    assert someone_elses["id"] not in listed


async def test_a_customer_without_payments_gets_an_empty_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/payments", headers=bearer())

    assert response.json() == {"items": [], "total": 0, "page": 1, "limit": 20, "pages": 0}


async def test_an_admin_lists_everyones_payments(client: httpx.AsyncClient) -> None:
    payments = [await make_payment(client) for _ in range(2)]

    response = await client.get("/api/payments", params={"limit": 100}, headers=bearer("admin"))

    assert response.status_code == 200
    assert response.json()["total"] >= 2
    assert {p["id"] for p in payments} <= {p["id"] for p in response.json()["items"]}
    assert len({p["user_id"] for p in response.json()["items"]}) >= 2


async def test_bad_pages_are_refused(client: httpx.AsyncClient) -> None:
    for params in ({"page": 0}, {"limit": 0}, {"limit": 101}, {"page": "x"}):
        response = await client.get("/api/payments", params=params, headers=bearer())
        assert response.status_code == 422, params
