import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Product } from "../api/types";
import { fakeApi, json, problem, renderAdmin } from "./testing";

const CATEGORIES = [
  { id: "c0000000-0000-4000-8000-000000000001", name: "Kitchen", slug: "kitchen", description: "", is_active: true, product_count: 3 },
];

function product(fields: Partial<Product> = {}): Product {
  return {
    id: "d0000000-0000-4000-8000-000000000001",
    name: "Teapot",
    description: "Holds tea.",
    price: "19.99",
    currency: "USD",
    sku: "TEA-1",
    stock: 4,
    image_url: null,
    category: { id: CATEGORIES[0]!.id, name: "Kitchen", slug: "kitchen" },
    is_active: true,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...fields,
  };
}

async function fillNewProduct() {
  await userEvent.type(await screen.findByLabelText("Name"), "Teapot");
  await userEvent.type(screen.getByLabelText("Price"), "0");
  await userEvent.type(screen.getByLabelText("SKU"), "tea-1");
  await userEvent.clear(screen.getByLabelText("Stock"));
  await userEvent.type(screen.getByLabelText("Stock"), "5");
  await userEvent.selectOptions(screen.getByLabelText("Category"), "Kitchen");
}

test("validation errors and a duplicate SKU are shown next to their fields", async () => {
  let attempt = 0;
  const calls = fakeApi({
    "GET /api/categories": () => json({ items: CATEGORIES }),
    "POST /api/products": () =>
      ++attempt === 1
        ? problem(422, "Validation failed", { errors: [{ field: "price", message: "Input should be greater than 0" }] })
        : problem(409, "A product with SKU 'TEA-1' already exists.", { code: "duplicate_sku" }),
  });
  await renderAdmin("/admin/products/new");
  await fillNewProduct();

  await userEvent.click(screen.getByRole("button", { name: "Create product" }));

  const price = screen.getByLabelText("Price");
  await waitFor(() => expect(price).toHaveAttribute("aria-invalid", "true"));
  expect(price).toHaveAccessibleDescription(/Input should be greater than 0/);
  expect(screen.getByRole("alert")).toHaveTextContent("some fields need attention");
  expect(calls.at(-1)?.body).toEqual({
    name: "Teapot",
    description: "",
    price: "0",
    currency: "USD",
    sku: "tea-1",
    stock: 5,
    category_id: CATEGORIES[0]!.id,
  });

  await userEvent.clear(price);
  await userEvent.type(price, "19.99");
  await userEvent.click(screen.getByRole("button", { name: "Create product" }));

  const sku = screen.getByLabelText("SKU");
  await waitFor(() => expect(sku).toHaveAccessibleDescription("A product with SKU 'TEA-1' already exists."));
  expect(sku).toHaveAttribute("aria-invalid", "true");
  expect(price).not.toHaveAttribute("aria-invalid");
});

test("a created product opens in its edit page", async () => {
  fakeApi({
    "GET /api/categories": () => json({ items: CATEGORIES }),
    "POST /api/products": () => json(product(), 201),
    [`GET /api/products/${product().id}`]: () => json(product()),
  });
  await renderAdmin("/admin/products/new");
  await fillNewProduct();

  await userEvent.click(screen.getByRole("button", { name: "Create product" }));

  expect(await screen.findByRole("heading", { level: 1, name: "Edit Teapot" })).toBeInTheDocument();
  expect(screen.getByText("Teapot was created.")).toBeInTheDocument();
  expect(screen.getByRole("status", { name: "Address" })).toHaveTextContent(`/admin/products/${product().id}`);
});

test("editing sends only what changed, and the stock is adjusted from its current level", async () => {
  let stock = 4;
  const calls = fakeApi({
    "GET /api/categories": () => json({ items: CATEGORIES }),
    [`GET /api/products/${product().id}`]: () => json(product({ stock })),
    [`PUT /api/products/${product().id}`]: (call) => {
      const body = call.body as Partial<Product>;
      if (body.stock !== undefined) stock = body.stock;
      return json(product({ ...body, stock }));
    },
  });
  await renderAdmin(`/admin/products/${product().id}`);

  const name = await screen.findByLabelText("Name");
  await userEvent.clear(name);
  await userEvent.type(name, "Big teapot");
  await userEvent.click(screen.getByLabelText("For sale (active)"));
  await userEvent.click(screen.getByRole("button", { name: "Save changes" }));

  expect(await screen.findByRole("heading", { level: 1, name: "Edit Big teapot" })).toBeInTheDocument();
  expect(calls.filter((call) => call.method === "PUT")[0]?.body).toEqual({ name: "Big teapot", is_active: false });

  stock = 2; // two were sold meanwhile
  await userEvent.type(screen.getByLabelText("Change stock by"), "10");
  await userEvent.click(screen.getByRole("button", { name: "Update stock" }));

  expect(await screen.findByText("Stock is now 12.")).toBeInTheDocument();
  expect(calls.filter((call) => call.method === "PUT")[1]?.body).toEqual({ stock: 12 });

  await userEvent.type(screen.getByLabelText("Change stock by"), "-20");
  await userEvent.click(screen.getByRole("button", { name: "Update stock" }));
  await waitFor(() =>
    expect(screen.getByLabelText("Change stock by")).toHaveAccessibleDescription(/Only 12 units are in stock/),
  );
  expect(calls.filter((call) => call.method === "PUT")).toHaveLength(2);
});
