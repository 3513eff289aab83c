import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";
import type { Category, Product } from "../api/types";
import { AuthProvider } from "../auth/AuthContext";
import { CartProvider } from "../cart/CartContext";
import { CatalogPage } from "./Catalog";

const CATEGORIES: Category[] = [
  { id: "c1", name: "Home", slug: "home", description: "", is_active: true, product_count: 30 },
  { id: "c2", name: "Kitchen", slug: "kitchen", description: "", is_active: true, product_count: 5 },
];

function product(n: number): Product {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    name: `Lamp ${n}`,
    description: "",
    price: "19.99",
    currency: "USD",
    sku: `LAMP-${n}`,
    stock: 10,
    image_url: null,
    category: { id: "c1", name: "Home", slug: "home" },
    is_active: true,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

function json(body: unknown, status = 200): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

type Answer = (url: URL) => Response;

/** The products service as the page sees it; every /api/products call is kept in `calls`. */
function stubApi(products: Answer = () => json({ items: [product(1), product(2)], total: 30, page: 2, limit: 12, pages: 3 })) {
  const calls: URLSearchParams[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/categories") return json({ items: CATEGORIES });
      if (url.pathname === "/api/products") {
        calls.push(url.searchParams);
        return products(url);
      }
      return json({ title: "Not found", status: 404 }, 404);
    }),
  );
  return calls;
}

function CurrentAddress() {
  const location = useLocation();
  return <output aria-label="Address">{location.pathname + location.search}</output>;
}

function renderAt(address: string) {
  return render(
    <MemoryRouter initialEntries={[address]}>
      <AuthProvider>
        <CartProvider>
          <Routes>
            <Route
              path="/products"
              element={
                <>
                  <CatalogPage />
                  <CurrentAddress />
                </>
              }
            />
          </Routes>
        </CartProvider>
      </AuthProvider>
    </MemoryRouter>,
  );
}

const address = () => screen.getByRole("status", { name: "Address" }).textContent;

describe("CatalogPage", () => {
  it("reads the view from the URL: sends exactly its parameters and shows them in the controls", async () => {
    const calls = stubApi();
    renderAt("/products?q=lamp&category=home&sort=-price&page=2");

    expect(await screen.findByRole("link", { name: "Lamp 1" })).toHaveAttribute("href", `/products/${product(1).id}`);
    expect(calls).toHaveLength(1);
    expect(Object.fromEntries(calls[0]!)).toEqual({ q: "lamp", category: "home", sort: "-price", page: "2", limit: "12" });

    expect(screen.getByRole("searchbox", { name: "Search" })).toHaveValue("lamp");
    await waitFor(() => expect(screen.getByRole("combobox", { name: "Category" })).toHaveDisplayValue("Home (30)"));
    expect(screen.getByRole("combobox", { name: "Sort by" })).toHaveDisplayValue("Price: high to low");
    expect(screen.getByRole("heading", { level: 1, name: "Home" })).toBeInTheDocument();
    expect(screen.getByText("30 products for “lamp”")).toBeInTheDocument();

    const pages = screen.getByRole("navigation", { name: "Result pages" });
    expect(within(pages).getByText("2")).toHaveAttribute("aria-current", "page");
    expect(within(pages).getByRole("link", { name: /Next/ })).toHaveAttribute(
      "href",
      "/products?q=lamp&category=home&sort=-price&page=3",
    );
    expect(within(pages).getByRole("link", { name: /Previous/ })).toHaveAttribute(
      "href",
      "/products?q=lamp&category=home&sort=-price",
    );
  });

  it("writes a category change to the URL, back on the first page, and loads that view", async () => {
    const calls = stubApi();
    const user = userEvent.setup();
    renderAt("/products?category=home&sort=name&page=3");
    await screen.findByRole("option", { name: "Kitchen (5)" });

    await user.selectOptions(screen.getByRole("combobox", { name: "Category" }), "Kitchen (5)");

    expect(address()).toBe("/products?category=kitchen&sort=name");
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(Object.fromEntries(calls[1]!)).toEqual({ category: "kitchen", sort: "name", limit: "12" });
    expect(screen.getByRole("heading", { level: 1, name: "Kitchen" })).toBeInTheDocument();
  });

  it("applies a search and prices typed into the form, and offers relevance once there is a search", async () => {
    const calls = stubApi();
    const user = userEvent.setup();
    renderAt("/products?in_stock=true");
    await screen.findByRole("link", { name: "Lamp 1" });
    expect(screen.queryByRole("option", { name: "Best match" })).not.toBeInTheDocument();

    await user.type(screen.getByRole("searchbox", { name: "Search" }), "desk lamp");
    await user.type(screen.getByRole("textbox", { name: "Min price" }), "10");
    await user.type(screen.getByRole("textbox", { name: "Max price" }), "49.50");
    await user.click(screen.getByRole("button", { name: "Apply filters" }));

    expect(address()).toBe("/products?in_stock=true&q=desk+lamp&min_price=10&max_price=49.50");
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(Object.fromEntries(calls[1]!)).toEqual({
      in_stock: "true",
      q: "desk lamp",
      min_price: "10",
      max_price: "49.50",
      limit: "12",
    });
    expect(screen.getByRole("combobox", { name: "Sort by" })).toHaveDisplayValue("Best match");
  });

  it("shows a message next to a price that makes no sense and sends nothing", async () => {
    const calls = stubApi();
    const user = userEvent.setup();
    renderAt("/products?q=lamp");
    await screen.findByRole("link", { name: "Lamp 1" });

    const min = screen.getByRole("textbox", { name: "Min price" });
    await user.type(min, "50");
    await user.type(screen.getByRole("textbox", { name: "Max price" }), "10");
    await user.click(screen.getByRole("button", { name: "Apply filters" }));

    expect(min).toHaveAccessibleDescription("Min price must not be more than max price.");
    expect(min).toHaveAttribute("aria-invalid", "true");
    expect(min).toHaveFocus();

    await user.clear(min);
    await user.type(min, "-5");
    await user.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(min).toHaveAccessibleDescription("Enter 0 or more.");

    expect(address()).toBe("/products?q=lamp");
    expect(calls).toHaveLength(1);
  });

  it("shows the API's field errors next to the fields of a hand-made link", async () => {
    stubApi(() =>
      json(
        {
          type: "about:blank",
          title: "Unprocessable Entity",
          status: 422,
          detail: "The request is not valid.",
          code: "validation_error",
          errors: [{ field: "max_price", message: "Input should be greater than or equal to 0" }],
        },
        422,
      ),
    );
    renderAt("/products?max_price=-3");

    expect(await screen.findByRole("alert")).toHaveTextContent("Some filters are not valid");
    expect(screen.getByRole("textbox", { name: "Max price" })).toHaveAccessibleDescription(
      "Input should be greater than or equal to 0",
    );
  });

  it("suggests clearing the filters when nothing matches", async () => {
    stubApi(() => json({ items: [], total: 0, page: 1, limit: 12, pages: 0 }));
    renderAt("/products?q=unicorn&in_stock=true");

    expect(await screen.findByText("No products match your filters.")).toBeInTheDocument();
    expect(screen.getByText("0 products for “unicorn”")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Clear all filters" })).toHaveAttribute("href", "/products");
  });

  it("says when the products cannot be loaded and retries on request", async () => {
    let failing = true;
    stubApi(() =>
      failing
        ? json({ title: "Service Unavailable", status: 503, detail: "products is down" }, 503)
        : json({ items: [product(7)], total: 1, page: 1, limit: 12, pages: 1 }),
    );
    const user = userEvent.setup();
    renderAt("/products");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The products could not be loaded.");
    expect(alert).toHaveTextContent("The shop is temporarily unavailable.");

    failing = false;
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("link", { name: "Lamp 7" })).toBeInTheDocument();
    expect(screen.getByText("1 product")).toBeInTheDocument();
  });
});
