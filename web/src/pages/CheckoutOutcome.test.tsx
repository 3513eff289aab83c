import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { Order } from "../api/types";
import { loadCart, saveCart } from "../cart/storage";
import { SHOPPER, cartLine, order, payment, product } from "../test/builders";
import { fakeApi, json, problem, type Call } from "../test/fakeApi";
import { renderPage, signIn } from "../test/render";
import { CheckoutOutcomePage } from "./CheckoutOutcome";

const declined = order({
  status: "pending",
  payment: { id: "pay-1", status: "failed", failure_code: "insufficient_funds" },
});
const paid = order({
  status: "paid",
  payment: { id: "pay-2", status: "succeeded", failure_code: null },
  status_history: [
    { status: "pending", at: "2026-11-25T10:00:00Z", note: null },
    { status: "paid", at: "2026-11-25T10:02:00Z", note: null },
  ],
});

/** The payments service's answer to an attempt to pay the declined order. */
function attempt(status: "succeeded" | "failed", failureCode: string | null = null) {
  return payment({
    id: "pay-x",
    order_id: declined.id,
    status,
    transaction_id: status === "succeeded" ? "txn_1" : null,
    failure_code: failureCode,
  });
}

function paymentRequests(calls: Call[]): Call[] {
  return calls.filter((call) => call.method === "POST" && call.path === "/api/payments");
}

function renderOutcome(at: string | { pathname: string; state?: unknown } = `/checkout/${declined.id}`) {
  return renderPage({ "/checkout/:orderId": <CheckoutOutcomePage /> }, at);
}

beforeEach(() => signIn());

describe("CheckoutOutcomePage", { timeout: 15_000 }, () => {
  it("explains a declined card and, paid again with a good card, thanks the shopper in place", async () => {
    let current: Order = declined;
    const calls = fakeApi({
      [`GET /api/orders/${declined.id}`]: () => json(current),
      "POST /api/payments": () => {
        current = paid;
        return json(attempt("succeeded"), 201);
      },
    });
    await renderOutcome();

    expect(await screen.findByRole("heading", { level: 1, name: "Your card was declined" })).toBeInTheDocument();
    expect(screen.getByText(/insufficient funds/)).toBeInTheDocument();
    expect(screen.getByText(/Nothing was charged/)).toBeInTheDocument();
    expect(screen.getByText(/hold its items for you for a limited time/)).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: /Linen apron/ })).toBeInTheDocument();

    await userEvent.click(screen.getByRole("radio", { name: "Mastercard (succeeds)" }));
    await userEvent.click(screen.getByRole("button", { name: "Pay $49.00" }));

    const thanks = await screen.findByRole("heading", { level: 1, name: "Thank you! Order MC-7Q2K-4XPA is paid" });
    await waitFor(() => expect(thanks).toHaveFocus());
    expect(screen.getByText(/confirmation email is on its way to ada@example.com/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "View your order" })).toHaveAttribute("href", `/orders/${paid.id}`);
    expect(screen.queryByRole("button", { name: /Pay/ })).not.toBeInTheDocument();

    const [request] = paymentRequests(calls);
    expect(request?.body).toEqual({ order_id: declined.id, payment_method: "pm_card_mastercard" });
    expect(request?.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("takes a fresh key for each attempt and the same one to resend after a network failure", async () => {
    let current: Order = declined;
    const answers: (() => Response)[] = [
      () => {
        current = order({ ...declined, payment: { id: "pay-2", status: "failed", failure_code: "card_declined" } });
        return json(attempt("failed", "card_declined"), 201);
      },
      () => {
        throw new TypeError("Failed to fetch");
      },
      () => {
        current = paid;
        return json(attempt("succeeded"), 201);
      },
    ];
    const calls = fakeApi({
      [`GET /api/orders/${declined.id}`]: () => json(current),
      "POST /api/payments": () =>
        (answers.shift() ?? (() => problem(409, "The order is not waiting for a payment.", { code: "order_not_pending" })))(),
    });
    await renderOutcome();

    await screen.findByRole("heading", { level: 1, name: "Your card was declined" });
    await userEvent.click(screen.getByRole("radio", { name: "Declined card" }));
    await userEvent.click(screen.getByRole("button", { name: "Pay $49.00" }));
    expect(await screen.findByText(/Your bank declined the payment. Try another card./)).toBeInTheDocument();

    await userEvent.click(screen.getByRole("radio", { name: "Visa (succeeds)" }));
    await userEvent.click(screen.getByRole("button", { name: "Pay $49.00" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The shop cannot be reached");

    await userEvent.click(screen.getByRole("button", { name: "Pay $49.00" }));
    expect(await screen.findByRole("heading", { level: 1, name: /is paid$/ })).toBeInTheDocument();

    const keys = paymentRequests(calls).map((request) => request.headers.get("Idempotency-Key"));
    expect(keys).toHaveLength(3);
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys[2]).toBe(keys[1]);
  });

  it("offers to complete the payment of an unpaid order", async () => {
    fakeApi({ [`GET /api/orders/${declined.id}`]: () => json(order({ status: "pending", payment: null })) });
    await renderOutcome();

    expect(await screen.findByRole("heading", { level: 1, name: "Complete your payment" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Pay $49.00" })).toBeEnabled();
  });

  it("waits calmly for an order the system is still finishing, then clears its lines from the cart", async () => {
    const apron = product({ id: "p-1", name: "Linen apron", price: "24.50" });
    const other = product({ id: "p-2", name: "Stoneware mug", price: "12.00" });
    saveCart(SHOPPER.id, [cartLine(apron, 2), cartLine(other, 1)]);
    let reads = 0;
    fakeApi({
      [`GET /api/orders/${paid.id}`]: () =>
        ++reads === 1 ? problem(404, "No such order.", { code: "order_not_found" }) : json(paid),
    });
    await renderOutcome({ pathname: `/checkout/${paid.id}`, state: { awaitOrder: true, clearCart: ["p-1"] } });

    expect(await screen.findByRole("heading", { level: 1, name: "Finishing your order" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("This can take up to half a minute");
    expect(
      await screen.findByRole("heading", { level: 1, name: "Thank you! Order MC-7Q2K-4XPA is paid" }, { timeout: 4000 }),
    ).toBeInTheDocument();
    await waitFor(() => expect(loadCart(SHOPPER.id).map((line) => line.productId)).toEqual(["p-2"]));
  });

  it("says so when the order does not exist", async () => {
    fakeApi({});
    await renderOutcome("/checkout/00000000-0000-4000-8000-000000000000");
    expect(await screen.findByRole("heading", { level: 1, name: "Order not found" })).toBeInTheDocument();
  });
});
