import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { loadCart, saveCart } from "../cart/storage";
import { SHOPPER, cartLine, order, product } from "../test/builders";
import { fakeApi, json, problem, type Call } from "../test/fakeApi";
import { addressBar, renderPage, signIn } from "../test/render";
import { CheckoutPage } from "./Checkout";

const apron = product({ id: "11111111-0000-4000-8000-000000000001", name: "Linen apron", price: "24.50", stock: 8 });
const mug = product({ id: "22222222-0000-4000-8000-000000000002", name: "Stoneware mug", price: "12.00", stock: 30 });

const placed = order({ id: "0b8e4d6a-0000-4000-8000-0000000000aa", status: "paid" });

function renderCheckout() {
  return renderPage({ "/checkout": <CheckoutPage />, "/checkout/:orderId": <p>Outcome page</p> }, "/checkout");
}

/** Types into a field the way an autofill or a paste does: one input event. */
async function enter(label: string, text: string) {
  await userEvent.click(screen.getByLabelText(label));
  await userEvent.paste(text);
}

async function fillAddress() {
  await enter("Address", "12 Analytical St");
  await enter("City", "London");
  await enter("Postal code", "N1 7AA");
  await enter("Country", "United Kingdom");
}

function orderRequests(calls: Call[]): Call[] {
  return calls.filter((call) => call.method === "POST" && call.path === "/api/orders");
}

beforeEach(() => {
  signIn();
  saveCart(SHOPPER.id, [cartLine(apron, 2), cartLine(mug, 1)]);
});

describe("CheckoutPage", { timeout: 15_000 }, () => {
  it("sends the cart, the address and the chosen test card, then leaves the cart for the outcome page", async () => {
    const calls = fakeApi({ "POST /api/orders": () => json(placed, 201) });
    await renderCheckout();

    expect(screen.getByLabelText("Full name")).toHaveValue("Ada Lovelace");
    expect(screen.getByRole("radio", { name: "Visa (succeeds)" })).toBeChecked();
    await fillAddress();
    await userEvent.click(screen.getByRole("radio", { name: "Declined card" }));
    await userEvent.click(screen.getByRole("button", { name: "Place order" }));

    expect(await screen.findByText("Outcome page")).toBeInTheDocument();
    expect(addressBar()).toHaveValue(`/checkout/${placed.id}`);
    const [request] = orderRequests(calls);
    expect(request?.body).toEqual({
      items: [
        { product_id: apron.id, quantity: 2 },
        { product_id: mug.id, quantity: 1 },
      ],
      shipping_address: {
        name: "Ada Lovelace",
        line1: "12 Analytical St",
        line2: null,
        city: "London",
        postal_code: "N1 7AA",
        country: "United Kingdom",
      },
      payment_method: "pm_card_chargeDeclined",
    });
    expect(request?.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(loadCart(SHOPPER.id)).toEqual([]);
  });

  it("shows the problem's field errors next to the right fields and a summary that takes the focus", async () => {
    fakeApi({
      "POST /api/orders": () =>
        problem(422, "The request is not valid.", {
          code: "validation_error",
          errors: [
            { field: "shipping_address.city", message: "String should have at least 1 character" },
            { field: "shipping_address.postal_code", message: "Enter a valid postal code." },
          ],
        }),
    });
    await renderCheckout();

    await enter("Address", "12 Analytical St");
    await enter("Postal code", "??");
    await userEvent.click(screen.getByRole("button", { name: "Place order" }));

    const summary = await screen.findByRole("alert");
    expect(summary).toHaveFocus();
    expect(within(summary).getByText("Please check your order:")).toBeInTheDocument();
    expect(screen.getByLabelText("City")).toHaveAccessibleDescription("This field is required.");
    expect(screen.getByLabelText("City")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Postal code")).toHaveAccessibleDescription("Enter a valid postal code.");
    expect(screen.getByLabelText("Address")).not.toHaveAttribute("aria-invalid");
    expect(screen.getByLabelText("Postal code")).toHaveValue("??");

    // Correcting a field clears its message.
    await userEvent.type(screen.getByLabelText("City"), "London");
    expect(screen.getByLabelText("City")).not.toHaveAttribute("aria-invalid");
  });

  it("reuses the idempotency key when resending after a network failure, and takes a new one after an edit", async () => {
    const answers: (() => Response)[] = [
      () => {
        throw new TypeError("Failed to fetch");
      },
      () => {
        throw new TypeError("Failed to fetch");
      },
      () => json(placed, 201),
    ];
    const calls = fakeApi({ "POST /api/orders": () => (answers.shift() ?? (() => json(placed, 201)))() });
    await renderCheckout();
    await fillAddress();

    await userEvent.click(screen.getByRole("button", { name: "Place order" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The shop cannot be reached");
    expect(screen.getByLabelText("City")).toHaveValue("London");

    await userEvent.click(screen.getByRole("button", { name: "Place order" }));
    await waitFor(() => expect(orderRequests(calls)).toHaveLength(2));
    expect(await screen.findByRole("alert")).toHaveTextContent("never be charged twice");

    await enter("Apartment, suite, etc. (optional)", "Flat 2");
    await userEvent.click(screen.getByRole("button", { name: "Place order" }));
    expect(await screen.findByText("Outcome page")).toBeInTheDocument();

    const keys = orderRequests(calls).map((request) => request.headers.get("Idempotency-Key"));
    expect(keys).toHaveLength(3);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("names the products that are short and adjusts the cart to what is available", async () => {
    fakeApi({
      "POST /api/orders": () =>
        problem(409, "Not enough stock for some lines.", {
          code: "insufficient_stock",
          short: [{ product_id: apron.id, requested: 2, available: 1 }],
        }),
    });
    await renderCheckout();
    await fillAddress();
    await userEvent.click(screen.getByRole("button", { name: "Place order" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Linen apron: you asked for 2, only 1 left.");
    await userEvent.click(within(alert).getByRole("button", { name: "Adjust my cart to what is available" }));

    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(screen.getByText(/Your cart now matches the stock available/)).toBeInTheDocument();
    const summary = screen.getByRole("complementary", { name: "Order summary" });
    expect(within(summary).getByText(/Linen apron/).closest("li")).toHaveTextContent("Linen apron × 1$24.50");
    expect(loadCart(SHOPPER.id).find((line) => line.productId === apron.id)?.quantity).toBe(1);
  });

  it("waits for an order the system is still finishing", async () => {
    fakeApi({
      "POST /api/orders": () =>
        problem(503, "The payments service did not answer.", {
          code: "checkout_incomplete",
          order_id: placed.id,
        }),
    });
    await renderCheckout();
    await fillAddress();
    await userEvent.click(screen.getByRole("button", { name: "Place order" }));

    expect(await screen.findByText("Outcome page")).toBeInTheDocument();
    expect(addressBar()).toHaveValue(`/checkout/${placed.id}`);
  });
});
