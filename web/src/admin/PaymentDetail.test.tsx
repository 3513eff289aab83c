import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Payment } from "../api/types";
import { payment } from "../test/builders";
import { fakeApi, json, problem, type Call } from "../test/fakeApi";
import { renderAdmin } from "../test/render";

const ID = "b0000000-0000-4000-8000-000000000001";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A $40.00 card payment with `refunded` of it given back. */
function paymentWithRefunded(refunded: string, refunds: Payment["refunds"] = []): Payment {
  return payment({
    id: ID,
    order_id: "0f000000-0000-4000-8000-000000000001",
    user_id: "c0000000-0000-4000-8000-000000000009",
    amount: "40.00",
    status: refunded === "0.00" ? "succeeded" : refunded === "40.00" ? "refunded" : "partially_refunded",
    refunded_amount: refunded,
    refunds,
    created_at: "2026-11-25T10:00:00Z",
  });
}

const refunds = (calls: Call[]) => calls.filter((call) => call.method === "POST");

test("a refund sends the amount with an Idempotency-Key, and a 409 says how much remains", async () => {
  const calls = fakeApi({
    [`GET /api/payments/${ID}`]: () => json(paymentWithRefunded("0.00")),
    [`POST /api/payments/${ID}/refund`]: () =>
      problem(409, "Only 40.00 remains to be refunded.", { code: "refund_exceeds_remaining", remaining: "40.00" }),
  });
  await renderAdmin(`/admin/payments/${ID}`);

  await userEvent.type(await screen.findByLabelText("Amount (USD)"), "50.00");
  await userEvent.type(screen.getByLabelText("Reason (optional)"), "Damaged");
  await userEvent.click(screen.getByRole("button", { name: "Refund this amount" }));

  expect(await screen.findByRole("alert")).toHaveTextContent("Only 40.00 remains to be refunded.");
  const [sent] = refunds(calls);
  expect(sent?.body).toEqual({ amount: "50.00", reason: "Damaged" });
  expect(sent?.headers.get("Idempotency-Key")).toMatch(UUID);

  // A refused refund is over: the next attempt is a new one, with a key of its own.
  await userEvent.click(screen.getByRole("button", { name: "Refund this amount" }));
  await waitFor(() => expect(refunds(calls)).toHaveLength(2));
  const [first, second] = refunds(calls);
  expect(second?.headers.get("Idempotency-Key")).toMatch(UUID);
  expect(second?.headers.get("Idempotency-Key")).not.toBe(first?.headers.get("Idempotency-Key"));
});

test("a resend after a network failure reuses the key; the refund then shows on the page", async () => {
  let attempts = 0;
  let refunded = false;
  const calls = fakeApi({
    [`GET /api/payments/${ID}`]: () =>
      json(
        refunded
          ? paymentWithRefunded("15.00", [{ id: "r1", payment_id: ID, amount: "15.00", status: "succeeded", reason: null, created_at: "2026-11-25T11:00:00Z" }])
          : paymentWithRefunded("0.00"),
      ),
    [`POST /api/payments/${ID}/refund`]: () => {
      if (++attempts === 1) throw new TypeError("Failed to fetch");
      refunded = true;
      return json({ id: "r1", payment_id: ID, amount: "15.00", status: "succeeded", reason: null, created_at: "2026-11-25T11:00:00Z" }, 201);
    },
  });
  await renderAdmin(`/admin/payments/${ID}`);

  await userEvent.type(await screen.findByLabelText("Amount (USD)"), "15");
  await userEvent.click(screen.getByRole("button", { name: "Refund this amount" }));
  expect(await screen.findByRole("alert")).toHaveTextContent(/cannot be reached.*Sending it again is safe/);

  await userEvent.click(screen.getByRole("button", { name: "Refund this amount" }));

  expect(await screen.findByText("Refunded $15.00.")).toBeInTheDocument();
  const [lost, resent] = refunds(calls);
  expect(resent?.headers.get("Idempotency-Key")).toBe(lost?.headers.get("Idempotency-Key"));
  expect(resent?.body).toEqual({ amount: "15" });
  const table = within(await screen.findByRole("region", { name: "Refunds" })).getByRole("table");
  expect(within(table).getAllByRole("row")).toHaveLength(2);
  expect(table).toHaveTextContent("$15.00");
  expect(screen.getByText(/can be refunded/)).toHaveTextContent("Up to $25.00 can be refunded.");
});

test("with no amount the rest is refunded; a fully refunded payment offers no refund", async () => {
  let refunded = false;
  const calls = fakeApi({
    [`GET /api/payments/${ID}`]: () => json(paymentWithRefunded(refunded ? "40.00" : "0.00")),
    [`POST /api/payments/${ID}/refund`]: () => {
      refunded = true;
      return json({ id: "r1", payment_id: ID, amount: "40.00", status: "succeeded", reason: null, created_at: "2026-11-25T11:00:00Z" }, 201);
    },
  });
  await renderAdmin(`/admin/payments/${ID}`);

  expect(await screen.findByLabelText("Amount (USD)")).toHaveAccessibleDescription(/refund the rest: \$40\.00/);
  await userEvent.click(screen.getByRole("button", { name: "Refund the rest" }));

  expect(await screen.findByText("This payment is refunded in full.")).toBeInTheDocument();
  expect(refunds(calls)[0]?.body).toEqual({});
  expect(screen.queryByRole("button", { name: /Refund/ })).not.toBeInTheDocument();
});
