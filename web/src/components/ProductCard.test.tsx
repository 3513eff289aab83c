import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import type { Product } from "../api/types";
import { AuthProvider } from "../auth/AuthContext";
import { CartProvider, useCart } from "../cart/CartContext";
import { ProductCard } from "./ProductCard";

const MUG: Product = {
  id: "0d9e8f7a-6b5c-4d3e-8f2a-112233445566",
  name: "Stoneware Mug",
  description: "",
  price: "12.50",
  currency: "USD",
  sku: "KIT-MUG",
  stock: 2,
  image_url: "/api/products/images/stoneware-mug.svg",
  category: { id: "c2", name: "Kitchen", slug: "kitchen" },
  is_active: true,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
};

function CartCount() {
  const { count } = useCart();
  return <p>Cart: {count}</p>;
}

function renderCard(product: Product) {
  return render(
    <MemoryRouter>
      <AuthProvider>
        <CartProvider>
          <ProductCard product={product} />
          <CartCount />
        </CartProvider>
      </AuthProvider>
    </MemoryRouter>,
  );
}

describe("ProductCard", () => {
  it("shows the picture, the name linking to the product, the price and what is left", () => {
    renderCard(MUG);

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
    renderCard(MUG);
    const add = screen.getByRole("button", { name: "Add to cart" });

    await user.click(add);
    expect(screen.getByText("Cart: 1")).toBeInTheDocument();
    expect(screen.getByText("Added (1 in your cart)")).toHaveAttribute("role", "status");

    await user.click(add);
    await user.click(add);
    expect(screen.getByText("Cart: 2")).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("All 2 left are already in your cart");
  });

  it("cannot be added when out of stock", () => {
    renderCard({ ...MUG, stock: 0 });

    expect(screen.getByText("Out of stock")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Add to cart" })).toBeDisabled();
  });

  it("says plenty is in stock, and shows a named placeholder when there is no picture", () => {
    renderCard({ ...MUG, stock: 40, image_url: null });

    expect(screen.getByText("In stock")).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Stoneware Mug" })).not.toHaveAttribute("src");
  });
});
