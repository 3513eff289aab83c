import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { category, pageOf, product } from "../test/builders";
import { fakeApi, json, problem, type Call } from "../test/fakeApi";
import { addressBar, renderPage } from "../test/render";
import { CatalogPage } from "./Catalog";

const CATEGORIES = [
  category({ id: "c1", name: "Home", product_count: 30 }),
  category({ id: "c2", name: "Kitchen", product_count: 5 }),
];

function lamp(n: number) {
  return product({
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    name: `Lamp ${n}`,
    price: "19.99",
    sku: `LAMP-${n}`,
    stock: 10,
    category: { id: "c1", name: "Home", slug: "home" },
  });
}

/** The products service as the page sees it: the categories, and `products` for every search. */
function fakeCatalog(products = () => json(pageOf([lamp(1), lamp(2)], { page: 2, limit: 12, total: 30 }))): Call[] {
  return fakeApi({ "GET /api/categories": () => json({ items: CATEGORIES }), "GET /api/products": products });
}

/** The query of every product search the page sent, in order. */
function searches(calls: Call[]): URLSearchParams[] {
  return calls.filter((call) => call.path === "/api/products").map((call) => call.query);
}

function renderAt(address: string) {
  return renderPage({ "/products": <CatalogPage /> }, address);
}

describe("CatalogPage", () => {
  it("reads the view from the URL: sends exactly its parameters and shows them in the controls", async () => {
    const calls = fakeCatalog();
    await renderAt("/products?q=lamp&category=home&sort=-price&page=2");

    expect(await screen.findByRole("link", { name: "Lamp 1" })).toHaveAttribute("href", `/products/${lamp(1).id}`);
    expect(searches(calls)).toHaveLength(1);
    expect(Object.fromEntries(searches(calls)[0]!)).toEqual({ q: "lamp", category: "home", sort: "-price", page: "2", limit: "12" });

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
    const calls = fakeCatalog();
    const user = userEvent.setup();
    await renderAt("/products?category=home&sort=name&page=3");
    await screen.findByRole("option", { name: "Kitchen (5)" });

    await user.selectOptions(screen.getByRole("combobox", { name: "Category" }), "Kitchen (5)");

    expect(addressBar()).toHaveValue("/products?category=kitchen&sort=name");
    await waitFor(() => expect(searches(calls)).toHaveLength(2));
    expect(Object.fromEntries(searches(calls)[1]!)).toEqual({ category: "kitchen", sort: "name", limit: "12" });
    expect(screen.getByRole("heading", { level: 1, name: "Kitchen" })).toBeInTheDocument();
  });

  it("applies a search and prices typed into the form, and offers relevance once there is a search", async () => {
    const calls = fakeCatalog();
    const user = userEvent.setup();
    await renderAt("/products?in_stock=true");
    await screen.findByRole("link", { name: "Lamp 1" });
    expect(screen.queryByRole("option", { name: "Best match" })).not.toBeInTheDocument();

    await user.type(screen.getByRole("searchbox", { name: "Search" }), "desk lamp");
    await user.type(screen.getByRole("textbox", { name: "Min price" }), "10");
    await user.type(screen.getByRole("textbox", { name: "Max price" }), "49.50");
    await user.click(screen.getByRole("button", { name: "Apply filters" }));

    expect(addressBar()).toHaveValue("/products?in_stock=true&q=desk+lamp&min_price=10&max_price=49.50");
    await waitFor(() => expect(searches(calls)).toHaveLength(2));
    expect(Object.fromEntries(searches(calls)[1]!)).toEqual({
      in_stock: "true",
      q: "desk lamp",
      min_price: "10",
      max_price: "49.50",
      limit: "12",
    });
    expect(screen.getByRole("combobox", { name: "Sort by" })).toHaveDisplayValue("Best match");
  });

  it("shows a message next to a price that makes no sense and sends nothing", async () => {
    const calls = fakeCatalog();
    const user = userEvent.setup();
    await renderAt("/products?q=lamp");
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

    expect(addressBar()).toHaveValue("/products?q=lamp");
    expect(searches(calls)).toHaveLength(1);
  });

  it("shows the API's field errors next to the fields of a hand-made link", async () => {
    fakeCatalog(() =>
      problem(422, "The request is not valid.", {
        code: "validation_error",
        errors: [{ field: "max_price", message: "Input should be greater than or equal to 0" }],
      }),
    );
    await renderAt("/products?max_price=-3");

    expect(await screen.findByRole("alert")).toHaveTextContent("Some filters are not valid");
    expect(screen.getByRole("textbox", { name: "Max price" })).toHaveAccessibleDescription(
      "Input should be greater than or equal to 0",
    );
  });

  it("suggests clearing the filters when nothing matches", async () => {
    fakeCatalog(() => json(pageOf([], { limit: 12 })));
    await renderAt("/products?q=unicorn&in_stock=true");

    expect(await screen.findByText("No products match your filters.")).toBeInTheDocument();
    expect(screen.getByText("0 products for “unicorn”")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Clear all filters" })).toHaveAttribute("href", "/products");
  });

  it("says when the products cannot be loaded and retries on request", async () => {
    let failing = true;
    fakeCatalog(() =>
      failing
        ? problem(503, "products is down")
        : json(pageOf([lamp(7)], { limit: 12 })),
    );
    const user = userEvent.setup();
    await renderAt("/products");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The products could not be loaded.");
    expect(alert).toHaveTextContent("The shop is temporarily unavailable.");

    failing = false;
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("link", { name: "Lamp 7" })).toBeInTheDocument();
    expect(screen.getByText("1 product")).toBeInTheDocument();
  });
});
