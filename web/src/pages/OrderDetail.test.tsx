import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { Order } from "../api/types";
import { order } from "../test/builders";
import { fakeApi, json, problem } from "../test/fakeApi";
import { renderPage, signIn } from "../test/render";
import { OrderDetailPage } from "./OrderDetail";

const paid = order({
  status: "paid",
  status_history: [
    { status: "pending", at: "2026-11-25T10:00:00Z", note: null },
    { status: "paid", at: "2026-11-25T10:01:00Z", note: "Paid by card" },
  ],
});

const cancelled: Order = {
  ...paid,
  status: "cancelled",
  payment: { id: "pay-1", status: "refunded", failure_code: null },
  status_history: [...paid.status_history, { status: "cancelled", at: "2026-11-25T11:00:00Z", note: "Changed my mind" }],
};

function renderDetail(id = paid.id) {
  return renderPage({ "/orders/:orderId": <OrderDetailPage /> }, `/orders/${id}`);
}

beforeEach(() => signIn());

describe("OrderDetailPage", { timeout: 15_000 }, () => {
  it("shows the order's items, address, payment and status history", async () => {
    fakeApi({ [`GET /api/orders/${paid.id}`]: () => json(paid) });
    await renderDetail();

    expect(await screen.findByRole("heading", { level: 1, name: "Order MC-7Q2K-4XPA" })).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: /Linen apron/ })).toBeInTheDocument();
    expect(screen.getByText("12 Analytical St")).toBeInTheDocument();
    expect(screen.getByText(/\$49\.00 paid by card/)).toBeInTheDocument();

    const history = within(screen.getByRole("region", { name: "Status history" })).getByRole("list");
    expect(history.tagName).toBe("OL");
    const steps = within(history).getAllByRole("listitem");
    expect(steps).toHaveLength(2);
    expect(steps[0]).toHaveTextContent("Pending");
    expect(steps[1]).toHaveTextContent("Paid");
    expect(steps[1]).toHaveTextContent("Paid by card");
    expect(within(steps[1] as HTMLElement).getByText((_, element) => element?.tagName === "TIME")).toHaveAttribute(
      "datetime",
      "2026-11-25T10:01:00Z",
    );
    expect(screen.queryByRole("link", { name: "Pay now" })).not.toBeInTheDocument();
  });

  it("cancels a paid order after confirmation and says it is refunded in full", async () => {
    const calls = fakeApi({
      [`GET /api/orders/${paid.id}`]: () => json(paid),
      [`POST /api/orders/${paid.id}/cancel`]: () => json(cancelled),
    });
    await renderDetail();

    await userEvent.click(await screen.findByRole("button", { name: "Cancel order" }));
    const confirm = screen.getByRole("form", { name: "Cancel this order?" });
    expect(confirm).toHaveTextContent("You will be refunded $49.00 in full");
    expect(within(confirm).getByLabelText("Reason (optional)")).toHaveFocus();

    // Keeping the order closes the question and returns to the button.
    await userEvent.click(within(confirm).getByRole("button", { name: "Keep my order" }));
    expect(screen.queryByRole("form", { name: "Cancel this order?" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Cancel order" })).toHaveFocus();

    await userEvent.click(screen.getByRole("button", { name: "Cancel order" }));
    await userEvent.type(screen.getByLabelText("Reason (optional)"), "Changed my mind");
    await userEvent.click(screen.getByRole("button", { name: "Confirm cancellation" }));

    expect(await screen.findByText(/The full amount of \$49\.00 is refunded to your card/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Cancel order" })).not.toBeInTheDocument();
    expect(screen.getByText(/was refunded in full/)).toBeInTheDocument();
    const steps = within(screen.getByRole("region", { name: "Status history" })).getAllByRole("listitem");
    expect(steps.at(-1)).toHaveTextContent("Cancelled");
    expect(steps.at(-1)).toHaveTextContent("Changed my mind");

    const request = calls.find((call) => call.method === "POST");
    expect(request?.body).toEqual({ reason: "Changed my mind" });
  });

  it("tells why a cancel was refused and shows the order as it is now", async () => {
    let current: Order = paid;
    fakeApi({
      [`GET /api/orders/${paid.id}`]: () => json(current),
      [`POST /api/orders/${paid.id}/cancel`]: () => {
        current = { ...paid, status: "shipped" };
        return problem(409, "An order that is shipped cannot become cancelled.", { code: "illegal_transition" });
      },
    });
    await renderDetail();

    await userEvent.click(await screen.findByRole("button", { name: "Cancel order" }));
    await userEvent.click(screen.getByRole("button", { name: "Confirm cancellation" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("An order that is shipped cannot become cancelled.");
    expect(await screen.findByText("Shipped")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Cancel order" })).not.toBeInTheDocument();
  });

  it("offers to pay an unpaid order", async () => {
    const unpaid = order({ status: "pending", payment: { id: "pay-1", status: "failed", failure_code: "expired_card" } });
    fakeApi({ [`GET /api/orders/${unpaid.id}`]: () => json(unpaid) });
    await renderDetail(unpaid.id);

    expect(await screen.findByRole("link", { name: "Pay now" })).toHaveAttribute("href", `/checkout/${unpaid.id}`);
    expect(screen.getByText(/This card has expired/)).toBeInTheDocument();
  });

  it("says when there is no such order", async () => {
    fakeApi({});
    await renderDetail("00000000-0000-4000-8000-000000000000");
    expect(await screen.findByRole("heading", { level: 1, name: "Order not found" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Back to your orders" })).toHaveAttribute("href", "/orders");
  });
});
