import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Order, OrderStatus } from "../api/types";
import { order } from "../test/builders";
import { fakeApi, json, problem } from "../test/fakeApi";
import { renderAdmin } from "../test/render";

const ID = "0f000000-0000-4000-8000-000000000001";

/** Order MRC-1001 (two teapots) in `status`, after going through `history`. */
function orderIn(status: OrderStatus, history: OrderStatus[] = ["pending", "paid"]): Order {
  return order({
    id: ID,
    order_number: "MRC-1001",
    user_id: "c0000000-0000-4000-8000-000000000009",
    status,
    items: [
      {
        product_id: "d0000000-0000-4000-8000-000000000001",
        name: "Teapot",
        sku: "TEA-1",
        quantity: 2,
        unit_price: "19.99",
        line_total: "39.98",
      },
    ],
    total_amount: "39.98",
    shipping_address: { name: "Ada Lovelace", line1: "12 Analytical Street", city: "London", postal_code: "N1 9GU", country: "GB" },
    payment: { id: "b0000000-0000-4000-8000-000000000001", status: "succeeded", failure_code: null },
    status_history: history.map((s, i) => ({ status: s, at: `2026-11-25T10:0${i}:00Z`, note: null })),
    updated_at: "2026-11-25T10:01:00Z",
  });
}

const moveButtons = () =>
  screen.queryAllByRole("button", { name: /^Mark as / }).map((button) => button.textContent);

test("a paid order offers processing and cancelling, nothing else, and a move updates the page", async () => {
  const calls = fakeApi({
    [`GET /api/orders/${ID}`]: () => json(orderIn("paid")),
    [`PATCH /api/orders/${ID}/status`]: () => {
      const moved = orderIn("processing", ["pending", "paid", "processing"]);
      moved.status_history[2]!.note = "Picked by Sam";
      return json(moved);
    },
  });
  await renderAdmin(`/admin/orders/${ID}`);

  expect(await screen.findByRole("heading", { level: 1, name: "Order MRC-1001" })).toBeInTheDocument();
  expect(moveButtons()).toEqual(["Mark as processing"]);
  expect(screen.getByRole("button", { name: "Cancel order" })).toBeInTheDocument();
  expect(screen.queryByRole("button", { name: /paid/i })).not.toBeInTheDocument();

  await userEvent.type(screen.getByLabelText("Note (optional)"), "Picked by Sam");
  await userEvent.click(screen.getByRole("button", { name: "Mark as processing" }));

  expect(await screen.findByText("Order MRC-1001 is now processing.")).toBeInTheDocument();
  const patch = calls.find((call) => call.method === "PATCH");
  expect(patch?.body).toEqual({ status: "processing", note: "Picked by Sam" });
  // The page shows the order as it now stands, without reloading it.
  expect(moveButtons()).toEqual(["Mark as shipped"]);
  const history = within(screen.getByRole("region", { name: "History" })).getAllByRole("listitem");
  expect(history).toHaveLength(3);
  expect(history[2]).toHaveTextContent("Processing");
  expect(history[2]).toHaveTextContent("Picked by Sam");
  expect(calls.filter((call) => call.method === "GET" && call.path === `/api/orders/${ID}`)).toHaveLength(1);
});

test("a pending order can only be cancelled, with a reason; a final one offers nothing", async () => {
  const calls = fakeApi({
    [`GET /api/orders/${ID}`]: () => json(orderIn("pending", ["pending"])),
    [`POST /api/orders/${ID}/cancel`]: () => json(orderIn("cancelled", ["pending", "cancelled"])),
  });
  await renderAdmin(`/admin/orders/${ID}`);

  await screen.findByRole("heading", { level: 1, name: "Order MRC-1001" });
  expect(moveButtons()).toEqual([]);
  await userEvent.click(screen.getByRole("button", { name: "Cancel order" }));
  await userEvent.type(screen.getByLabelText("Reason for cancelling (optional)"), "Customer asked");
  await userEvent.click(screen.getByRole("button", { name: "Confirm cancellation" }));

  expect(await screen.findByText(/Order MRC-1001 was cancelled/)).toBeInTheDocument();
  expect(calls.at(-1)?.body).toEqual({ reason: "Customer asked" });
  expect(screen.getByText(/nothing more can happen to it/)).toBeInTheDocument();
  expect(screen.queryByRole("button", { name: "Cancel order" })).not.toBeInTheDocument();
});

test("a refused move is shown, and the order is read again to show where it stands", async () => {
  let reads = 0;
  fakeApi({
    [`GET /api/orders/${ID}`]: () => json(++reads === 1 ? orderIn("processing") : orderIn("cancelled", ["pending", "cancelled"])),
    [`PATCH /api/orders/${ID}/status`]: () =>
      problem(409, "An order that is cancelled cannot become shipped.", { code: "illegal_transition" }),
  });
  await renderAdmin(`/admin/orders/${ID}`);

  await userEvent.click(await screen.findByRole("button", { name: "Mark as shipped" }));

  expect(await screen.findByRole("alert")).toHaveTextContent("An order that is cancelled cannot become shipped.");
  expect(await screen.findByText(/nothing more can happen to it/)).toBeInTheDocument();
  expect(moveButtons()).toEqual([]);
});
