import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { Category } from "../api/types";
import { category } from "../test/builders";
import { fakeApi, json, problem } from "../test/fakeApi";
import { renderAdmin } from "../test/render";

const TOYS = category({ id: "cccccccc-0000-4000-8000-000000000001", name: "Toys", product_count: 3 });
const GARDEN = category({ id: "cccccccc-0000-4000-8000-000000000002", name: "Garden", is_active: false });

test("the list asks for withdrawn categories too and marks them", async () => {
  const calls = fakeApi({ "GET /api/categories": () => json({ items: [GARDEN, TOYS] }) });
  await renderAdmin("/admin/categories");

  const garden = await screen.findByRole("row", { name: /Garden/ });
  expect(within(garden).getByText("Withdrawn")).toBeInTheDocument();
  expect(within(garden).getByRole("button", { name: "Bring back Garden" })).toBeEnabled();
  const toys = screen.getByRole("row", { name: /Toys/ });
  expect(within(toys).getByText("Active")).toBeInTheDocument();
  expect(calls.find((call) => call.path === "/api/categories")?.query.get("include_inactive")).toBe("true");
  expect(screen.queryByText(/has no way to do so/)).not.toBeInTheDocument();
});

test("withdrawing a category flips its row", async () => {
  const calls = fakeApi({
    "GET /api/categories": () => json({ items: [TOYS] }),
    [`PUT /api/categories/${TOYS.id}`]: (call) => json({ ...TOYS, ...(call.body as Partial<Category>) }),
  });
  await renderAdmin("/admin/categories");

  await userEvent.click(await screen.findByRole("button", { name: "Withdraw Toys" }));

  expect(await screen.findByText(/Toys is withdrawn/)).toBeInTheDocument();
  expect(calls.at(-1)?.body).toEqual({ is_active: false });
  const row = screen.getByRole("row", { name: /Toys/ });
  expect(within(row).getByText("Withdrawn")).toBeInTheDocument();
  await userEvent.click(within(row).getByRole("button", { name: "Bring back Toys" }));
  await waitFor(() => expect(calls.at(-1)?.body).toEqual({ is_active: true }));
  expect(await within(row).findByText("Active")).toBeInTheDocument();
});

test("an edit with a taken slug shows the conflict next to the slug", async () => {
  const calls = fakeApi({
    "GET /api/categories": () => json({ items: [TOYS] }),
    [`PUT /api/categories/${TOYS.id}`]: (call) =>
      (call.body as { slug?: string }).slug === "garden"
        ? problem(409, "A category with slug 'garden' already exists.", { code: "duplicate_slug" })
        : json({ ...TOYS, ...(call.body as Partial<Category>) }),
  });
  await renderAdmin("/admin/categories");

  await userEvent.click(await screen.findByRole("button", { name: "Edit Toys" }));
  const form = screen.getByRole("form", { name: "Edit Toys" });
  const slug = within(form).getByLabelText("Slug");
  await userEvent.clear(slug);
  await userEvent.type(slug, "garden");
  await userEvent.click(within(form).getByRole("button", { name: "Save" }));

  await waitFor(() => expect(slug).toHaveAccessibleDescription(/A category with slug 'garden' already exists\./));
  expect(slug).toHaveAttribute("aria-invalid", "true");
  expect(within(form).getByRole("alert")).toHaveTextContent("some fields need attention");

  await userEvent.clear(slug);
  await userEvent.type(slug, "playthings");
  const name = within(form).getByLabelText("Name");
  await userEvent.clear(name);
  await userEvent.type(name, "Playthings");
  await userEvent.click(within(form).getByRole("button", { name: "Save" }));

  expect(await screen.findByText("Playthings was saved.")).toBeInTheDocument();
  expect(calls.at(-1)?.body).toEqual({ name: "Playthings", description: "", slug: "playthings" });
  const row = screen.getByRole("row", { name: /Playthings/ });
  expect(within(row).getByText("playthings")).toBeInTheDocument();
});
