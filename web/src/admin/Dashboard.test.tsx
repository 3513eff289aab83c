import { screen, within } from "@testing-library/react";
import type { Order, OrderStatus, Product } from "../api/types";
import { startOfToday } from "./Dashboard";
import { fakeApi, json, renderAdmin } from "./testing";

function order(n: number, status: OrderStatus, total: string): Order {
  return {
    id: `0f000000-0000-4000-8000-00000000000${n}`,
    order_number: `MRC-${n}`,
    user_id: "c0000000-0000-4000-8000-000000000009",
    status,
    items: [],
    total_amount: total,
    currency: "USD",
    shipping_address: {},
    payment: null,
    status_history: [],
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
  } as Order;
}

function product(name: string, stock: number): Product {
  return { id: `id-${name}`, name, stock } as Product;
}

test("today's orders and revenue count from local midnight; low stock lists what is nearly gone", async () => {
  const orders = [
    order(1, "pending", "100.00"),
    order(2, "paid", "10.10"),
    order(3, "cancelled", "50.00"),
    order(4, "delivered", "0.20"),
    order(5, "shipped", "5.00"),
  ];
  const calls = fakeApi({
    "GET /api/orders": () => json({ items: orders, total: 5, page: 1, limit: 100, pages: 1 }),
    "GET /api/products": () =>
      json({ items: [product("Kettle", 0), product("Mug", 5), product("Lamp", 6)], total: 40, page: 1, limit: 20, pages: 2 }),
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
