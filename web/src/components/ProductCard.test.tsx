import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Product } from "../api/types";
import { useCart } from "../cart/CartContext";
import { product } from "../test/builders";
import { renderPage } from "../test/render";
import { ProductCard } from "./ProductCard";

const MUG = product({
  id: "0d9e8f7a-6b5c-4d3e-8f2a-112233445566",
  name: "Stoneware Mug",
  price: "12.50",
  sku: "KIT-MUG",
  stock: 2,
  image_url: "/api/products/images/stoneware-mug.svg",
  category: { id: "c2", name: "Kitchen", slug: "kitchen" },
});

function CartCount() {
  const { count } = useCart();
  return <p>Cart: {count}</p>;
}

function renderCard(item: Product) {
  return renderPage(
    {
      "/": (
        <>
          <ProductCard product={item} />
          <CartCount />
        </>
      ),
    },
    "/",
  );
}

describe("ProductCard", () => {
  it("shows the picture, the name linking to the product, the price and what is left", async () => {
    await renderCard(MUG);

    const card = screen.getByRole("article", { name: "Stoneware Mug" });
    const image = screen.getByRole("img", { name: "Stoneware Mug" });
    expect(card).toContainElement(image);
    expect(image).toHaveAttribute("src", "http://127.0.0.1:8080/api/products/images/stoneware-mug.svg");
    expect(image).toHaveAttribute("loading", "lazy");
    expect(screen.getByRole("link", { name: "Stoneware Mug" })).toHaveAttribute("href", `/products/${MUG.id}`);
    expect(screen.getByText("$12.50")).toBeInTheDocument();
    expect(screen.getByText("Only 2 left")).toBeInTheDocument();
  });

  it("adds one to the cart, says so politely, and stops at the stock", async () => {
    const user = userEvent.setup();
    await renderCard(MUG);
    const add = screen.getByRole("button", { name: "Add to cart" });

    await user.click(add);
    expect(screen.getByText("Cart: 1")).toBeInTheDocument();
    expect(screen.getByText("Added (1 in your cart)")).toHaveAttribute("role", "status");

    await user.click(add);
    await user.click(add);
    expect(screen.getByText("Cart: 2")).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("All 2 left are already in your cart");
  });

  it("cannot be added when out of stock", async () => {
    await renderCard({ ...MUG, stock: 0 });

    expect(screen.getByText("Out of stock")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Add to cart" })).toBeDisabled();
  });

  it("says plenty is in stock, and shows a named placeholder when there is no picture", async () => {
    await renderCard({ ...MUG, stock: 40, image_url: null });

    expect(screen.getByText("In stock")).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Stoneware Mug" })).not.toHaveAttribute("src");
  });
});
