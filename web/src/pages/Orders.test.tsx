import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeGateway, json, order, renderPage, signIn, signOut } from "../checkout/testkit";
import { OrdersPage } from "./Orders";

function page(items: ReturnType<typeof order>[], pageNumber = 1, total = items.length) {
  return json({ items, total, page: pageNumber, limit: 10, pages: Math.max(1, Math.ceil(total / 10)) });
}

beforeEach(() => signIn());
afterEach(() => signOut());

describe("OrdersPage", { timeout: 15_000 }, () => {
  it("lists the orders and keeps the status filter and the page in the URL", async () => {
    const { sent } = fakeGateway({
      "GET /api/orders?page=2&limit=10": () => page([order()], 2, 11),
      "GET /api/orders?page=1&limit=10&status=cancelled": () => page([]),
    });
    await renderPage({ "/orders": <OrdersPage /> }, "/orders?page=2");

    const row = (await screen.findByRole("link", { name: "MC-7Q2K-4XPA" })).closest("tr") as HTMLElement;
    expect(within(row).getByText("Paid")).toBeInTheDocument();
    expect(within(row).getByText("$49.00")).toBeInTheDocument();
    expect(within(row).getByText("2")).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Order pages" })).toBeInTheDocument();

    await userEvent.selectOptions(screen.getByLabelText("Status"), "Cancelled");
    expect(await screen.findByText("You have no cancelled orders.")).toBeInTheDocument();
    expect(screen.getByTestId("location")).toHaveTextContent("/orders?status=cancelled");
    expect(sent.map((request) => request.path)).toContain("/api/orders?page=1&limit=10&status=cancelled");
  });

  it("shows an empty state with a way to the shop", async () => {
    fakeGateway({ "GET /api/orders?page=1&limit=10": () => page([]) });
    await renderPage({ "/orders": <OrdersPage /> }, "/orders");
    expect(await screen.findByText("You have no orders yet")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Browse the shop" })).toHaveAttribute("href", "/products");
  });
});
