import { screen, within } from "@testing-library/react";
import type { Order, OrderStatus } from "../api/types";
import { order, pageOf, product } from "../test/builders";
import { fakeApi, json } from "../test/fakeApi";
import { renderAdmin } from "../test/render";
import { startOfToday } from "./Dashboard";

/** An order placed just now. */
function placedNow(n: number, status: OrderStatus, total: string): Order {
  const now = new Date().toISOString();
  return order({
    id: `0f000000-0000-4000-8000-00000000000${n}`,
    order_number: `MRC-${n}`,
    user_id: "c0000000-0000-4000-8000-000000000009",
    status,
    items: [],
    total_amount: total,
    shipping_address: {},
    payment: null,
    status_history: [],
    created_at: now,
    updated_at: now,
  });
}

function stocked(name: string, stock: number) {
  return product({ id: `id-${name}`, name, stock });
}

test("today's orders and revenue count from local midnight; low stock lists what is nearly gone", async () => {
  const orders = [
    placedNow(1, "pending", "100.00"),
    placedNow(2, "paid", "10.10"),
    placedNow(3, "cancelled", "50.00"),
    placedNow(4, "delivered", "0.20"),
    placedNow(5, "shipped", "5.00"),
  ];
  const calls = fakeApi({
    "GET /api/orders": () => json(pageOf(orders, { limit: 100 })),
    "GET /api/products": () => json(pageOf([stocked("Kettle", 0), stocked("Mug", 5), stocked("Lamp", 6)], { total: 40 })),
  });
  await renderAdmin("/admin");

  const today = screen.getByRole("region", { name: "Today's orders" });
  expect(await within(today).findByText("5")).toBeInTheDocument();
  expect(within(today).getAllByRole("listitem")).toHaveLength(5);
  // Paid and later only: 10.10 + 0.20 + 5.00.
  expect(within(screen.getByRole("region", { name: "Today's revenue" })).getByText("$15.30")).toBeInTheDocument();
  const low = within(screen.getByRole("region", { name: "Low stock" }));
  expect(low.getAllByRole("listitem").map((item) => item.textContent)).toEqual(["Kettle Out of stock", "Mug 5 left"]);

  const ordersCall = calls.find((call) => call.path === "/api/orders");
  expect(ordersCall?.query.get("created_from")).toBe(startOfToday());
  expect(new Date(startOfToday()).getHours()).toBe(0);
  expect(calls.find((call) => call.path === "/api/products")?.query.get("sort")).toBe("stock");
});
