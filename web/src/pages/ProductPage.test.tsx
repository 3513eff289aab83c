import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { saveCart } from "../cart/storage";
import { cartLine, product } from "../test/builders";
import { fakeApi, json, problem } from "../test/fakeApi";
import { renderPage } from "../test/render";
import { ProductPage } from "./ProductPage";

const ID = "6f1c2d3e-4a5b-4c6d-8e7f-001122334455";

const KETTLE = product({
  id: ID,
  name: "Copper Kettle",
  description: "Boils fast.\n\nA copper kettle for the stove.",
  price: "24.00",
  sku: "KIT-KETTLE",
  stock: 3,
  image_url: "/api/products/images/copper-kettle.svg",
  category: { id: "c2", name: "Kitchen", slug: "kitchen" },
});

function fakeProduct(answer: () => Response) {
  fakeApi({ [`GET /api/products/${ID}`]: answer });
}

function renderAt(address = `/products/${ID}`) {
  return renderPage({ "/products/:productId": <ProductPage /> }, address);
}

/** A guest cart that already holds `quantity` of the kettle, as an earlier visit left it. */
function cartHolds(quantity: number) {
  saveCart(null, [cartLine(KETTLE, quantity)]);
}

describe("ProductPage", () => {
  it("shows the product: name, price, stock, description, SKU and the way back", async () => {
    fakeProduct(() => json(KETTLE));
    await renderAt();

    expect(await screen.findByRole("heading", { level: 1, name: "Copper Kettle" })).toBeInTheDocument();
    expect(screen.getByText("$24.00")).toBeInTheDocument();
    expect(screen.getByText("Only 3 left")).toBeInTheDocument();
    expect(screen.getByText("A copper kettle for the stove.")).toBeInTheDocument();
    expect(screen.getByText("KIT-KETTLE")).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Copper Kettle" })).toHaveAttribute(
      "src",
      "http://127.0.0.1:8080/api/products/images/copper-kettle.svg",
    );
    const crumbs = screen.getByRole("navigation", { name: "Breadcrumb" });
    expect(within(crumbs).getByRole("link", { name: "Shop" })).toHaveAttribute("href", "/products");
    expect(within(crumbs).getByRole("link", { name: "Kitchen" })).toHaveAttribute("href", "/products?category=kitchen");
    await waitFor(() => expect(document.title).toBe("Copper Kettle · Mercato"));
  });

  it("adds no more than is left, counting what is already in the cart", async () => {
    cartHolds(1);
    fakeProduct(() => json(KETTLE));
    const user = userEvent.setup();
    await renderAt();

    const quantity = await screen.findByRole("spinbutton", { name: "Quantity" });
    expect(quantity).toHaveAccessibleDescription("You have 1 in your cart.");

    await user.clear(quantity);
    await user.type(quantity, "5");
    await user.click(screen.getByRole("button", { name: "Add to cart" }));
    expect(quantity).toHaveAccessibleDescription("Enter a whole number from 1 to 3. You have 1 in your cart.");

    await user.clear(quantity);
    await user.type(quantity, "3");
    await user.click(screen.getByRole("button", { name: "Add to cart" }));
    const outcome = screen.getByText(/Added 2 to your cart/);
    expect(outcome).toHaveTextContent("Added 2 to your cart, all that is left. You now have 3.");
    expect(within(outcome).getByRole("link", { name: "View your cart" })).toHaveAttribute("href", "/cart");
    expect(quantity).toHaveAccessibleDescription("You have 3 in your cart.");

    await user.click(screen.getByRole("button", { name: "Add to cart" }));
    expect(screen.getByText(/You already have all 3 available in your cart/)).toBeInTheDocument();
    expect(JSON.parse(localStorage.getItem("mercato.cart.guest") ?? "[]")[0].quantity).toBe(3);
  });

  it("cannot add a product that is out of stock", async () => {
    fakeProduct(() => json({ ...KETTLE, stock: 0 }));
    await renderAt();

    expect(await screen.findByRole("button", { name: "Add to cart" })).toBeDisabled();
    expect(screen.getByText("Out of stock")).toBeInTheDocument();
    expect(screen.getByRole("spinbutton", { name: "Quantity" })).toBeDisabled();
  });

  it("says a product that is gone is no longer available, with a way back to the shop", async () => {
    fakeProduct(() => problem(404, "No such product.", { code: "product_not_found" }));
    await renderAt();

    expect(
      await screen.findByRole("heading", { level: 1, name: "This product is no longer available" }),
    ).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Back to the shop" })).toHaveAttribute("href", "/products");
  });

  it("answers a mistyped address the same way, without asking the shop", async () => {
    fakeProduct(() => json(KETTLE));
    await renderAt("/products/copper-kettle");

    expect(
      await screen.findByRole("heading", { level: 1, name: "This product is no longer available" }),
    ).toBeInTheDocument();
    expect(fetch).not.toHaveBeenCalled();
  });

  it("offers a retry when the product could not be loaded", async () => {
    let failing = true;
    fakeProduct(() => (failing ? problem(504, "The products service did not answer in time.") : json(KETTLE)));
    const user = userEvent.setup();
    await renderAt();

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The shop took too long to answer.");
    failing = false;
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Copper Kettle" })).toBeInTheDocument();
  });
});
