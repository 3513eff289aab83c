import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { saveCart } from "../cart/storage";
import { cartLine, product } from "../test/builders";
import { fakeApi, json, problem } from "../test/fakeApi";
import { renderPage } from "../test/render";
import { CartPage } from "./Cart";

const apron = product({ id: "11111111-0000-4000-8000-000000000001", name: "Linen apron", price: "24.50", stock: 8 });
const mug = product({ id: "22222222-0000-4000-8000-000000000002", name: "Stoneware mug", price: "12.00", stock: 30 });

function catalog(...products: typeof apron[]) {
  const routes: Record<string, () => Response> = {};
  for (const item of products) routes[`GET /api/products/${item.id}`] = () => json(item);
  return routes;
}

function lineItem(name: string): HTMLElement {
  const link = screen.getByRole("link", { name });
  const item = link.closest("li");
  if (!item) throw new Error(`no cart line for ${name}`);
  return item;
}

/** The page checks every line against the catalog first; this waits for that check. */
async function checked() {
  await waitFor(() => expect(screen.queryByText("Checking prices and stock…")).not.toBeInTheDocument());
}

describe("CartPage", { timeout: 15_000 }, () => {
  it("shows each line with its total and updates the subtotal when a quantity changes", async () => {
    saveCart(null, [cartLine(apron, 2), cartLine(mug, 1)]);
    fakeApi(catalog(apron, mug));
    await renderPage({ "/cart": <CartPage /> }, "/cart");
    await checked();

    expect(screen.getByRole("heading", { level: 1, name: "Your cart" })).toBeInTheDocument();
    expect(within(lineItem("Linen apron")).getByText("$49.00")).toBeInTheDocument();
    expect(screen.getByText("Subtotal (3 items)").nextElementSibling).toHaveTextContent("$61.00");

    const quantity = screen.getByLabelText("Quantity of Linen apron");
    await userEvent.clear(quantity);
    await userEvent.type(quantity, "3");

    expect(within(lineItem("Linen apron")).getByText("$73.50")).toBeInTheDocument();
    expect(screen.getByText("Subtotal (4 items)").nextElementSibling).toHaveTextContent("$85.50");
    expect(screen.getByRole("link", { name: "Checkout" })).toHaveAttribute("href", "/checkout");
  });

  it("never lets a quantity exceed the stock", async () => {
    saveCart(null, [cartLine(apron, 2)]);
    fakeApi(catalog(apron));
    await renderPage({ "/cart": <CartPage /> }, "/cart");
    await checked();

    const quantity = screen.getByLabelText("Quantity of Linen apron");
    await userEvent.clear(quantity);
    await userEvent.type(quantity, "50");

    expect(quantity).toHaveValue(8);
    expect(screen.getByText("Only 8 in stock.")).toBeInTheDocument();
    expect(screen.getByText("Subtotal (8 items)")).toBeInTheDocument();
  });

  it("removes a line, and shows the empty cart with a way to the shop once nothing is left", async () => {
    saveCart(null, [cartLine(apron, 1), cartLine(mug, 2)]);
    fakeApi(catalog(apron, mug));
    await renderPage({ "/cart": <CartPage /> }, "/cart");
    await checked();

    await userEvent.click(screen.getByRole("button", { name: "Remove Linen apron" }));
    expect(screen.queryByRole("link", { name: "Linen apron" })).not.toBeInTheDocument();
    expect(screen.getByText("Subtotal (2 items)")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Remove Stoneware mug" }));
    expect(screen.getByText("Your cart is empty")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Browse the shop" })).toHaveAttribute("href", "/products");
  });

  it("drops a product the catalog no longer has and tells the shopper about it and about new prices and stock", async () => {
    saveCart(null, [cartLine(apron, 5), cartLine(mug, 1)]);
    fakeApi({
      [`GET /api/products/${apron.id}`]: () => json({ ...apron, price: "26.00", stock: 3 }),
      [`GET /api/products/${mug.id}`]: () => problem(404, "No such product.", { code: "product_not_found" }),
    });
    await renderPage({ "/cart": <CartPage /> }, "/cart");
    await checked();

    await waitFor(() => expect(screen.queryByRole("link", { name: "Stoneware mug" })).not.toBeInTheDocument());
    expect(screen.getByText("Stoneware mug is no longer available and was removed from your cart.")).toBeInTheDocument();
    expect(screen.getByText("The price of Linen apron changed from $24.50 to $26.00.")).toBeInTheDocument();
    expect(screen.getByText("Only 3 of Linen apron left: your quantity was reduced to 3.")).toBeInTheDocument();
    expect(screen.getByLabelText("Quantity of Linen apron")).toHaveValue(3);
    expect(screen.getByText("Subtotal (3 items)").nextElementSibling).toHaveTextContent("$78.00");
  });
});
