import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import type { Order } from "../api/types";
import { order, pageOf } from "../test/builders";
import { fakeApi, json } from "../test/fakeApi";
import { addressBar, renderPage, signIn } from "../test/render";
import { OrdersPage } from "./Orders";

function page(items: Order[], number = 1, total = items.length) {
  return json(pageOf(items, { page: number, limit: 10, total }));
}

beforeEach(() => signIn());

describe("OrdersPage", { timeout: 15_000 }, () => {
  it("lists the orders and keeps the status filter and the page in the URL", async () => {
    const calls = fakeApi({
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
    expect(addressBar()).toHaveValue("/orders?status=cancelled");
    expect(calls.map((call) => call.pathAndQuery)).toContain("/api/orders?page=1&limit=10&status=cancelled");
  });

  it("shows an empty state with a way to the shop", async () => {
    fakeApi({ "GET /api/orders?page=1&limit=10": () => page([]) });
    await renderPage({ "/orders": <OrdersPage /> }, "/orders");
    expect(await screen.findByText("You have no orders yet")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Browse the shop" })).toHaveAttribute("href", "/products");
  });
});
