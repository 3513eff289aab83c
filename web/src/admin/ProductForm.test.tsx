import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Product } from "../api/types";
import { category, product } from "../test/builders";
import { fakeApi, json, problem } from "../test/fakeApi";
import { addressBar, renderAdmin } from "../test/render";

const KITCHEN = category({ id: "c0000000-0000-4000-8000-000000000001", name: "Kitchen", product_count: 3 });
const CATEGORIES = [KITCHEN];

function teapot(fields: Partial<Product> = {}): Product {
  return product({
    id: "d0000000-0000-4000-8000-000000000001",
    name: "Teapot",
    description: "Holds tea.",
    price: "19.99",
    sku: "TEA-1",
    stock: 4,
    category: { id: KITCHEN.id, name: KITCHEN.name, slug: KITCHEN.slug },
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...fields,
  });
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
    category_id: KITCHEN.id,
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
    "POST /api/products": () => json(teapot(), 201),
    [`GET /api/products/${teapot().id}`]: () => json(teapot()),
  });
  await renderAdmin("/admin/products/new");
  await fillNewProduct();

  await userEvent.click(screen.getByRole("button", { name: "Create product" }));

  expect(await screen.findByRole("heading", { level: 1, name: "Edit Teapot" })).toBeInTheDocument();
  expect(screen.getByText("Teapot was created.")).toBeInTheDocument();
  expect(addressBar()).toHaveValue(`/admin/products/${teapot().id}`);
});

test("editing sends only what changed, and the stock is adjusted from its current level", async () => {
  let stock = 4;
  const calls = fakeApi({
    "GET /api/categories": () => json({ items: CATEGORIES }),
    [`GET /api/products/${teapot().id}`]: () => json(teapot({ stock })),
    [`PUT /api/products/${teapot().id}`]: (call) => {
      const body = call.body as Partial<Product>;
      if (body.stock !== undefined) stock = body.stock;
      return json(teapot({ ...body, stock }));
    },
  });
  await renderAdmin(`/admin/products/${teapot().id}`);

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
