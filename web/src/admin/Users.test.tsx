import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { User } from "../api/types";
import { ADMIN, pageOf, user } from "../test/builders";
import { fakeApi, json, problem } from "../test/fakeApi";
import { addressBar, renderAdmin } from "../test/render";

const BOB = user({
  id: "bbbbbbbb-0000-4000-8000-000000000002",
  email: "bob@example.com",
  name: "Bob Buyer",
  email_verified: false,
});

test("an admin cannot demote or suspend themself, and is told why", async () => {
  fakeApi({ "GET /api/users": () => json(pageOf([ADMIN, BOB])) });
  await renderAdmin("/admin/users");

  const demote = await screen.findByRole("button", { name: "Make customer: Ada Admin" });
  const suspend = screen.getByRole("button", { name: "Suspend Ada Admin" });
  for (const button of [demote, suspend]) {
    expect(button).toBeDisabled();
    expect(button).toHaveAccessibleDescription("This is you: you cannot demote or suspend yourself. Another admin can.");
  }
  expect(screen.getByRole("button", { name: "Make admin: Bob Buyer" })).toBeEnabled();
  expect(screen.getByRole("button", { name: "Suspend Bob Buyer" })).toBeEnabled();
});

test("another user's role and status change in place", async () => {
  const calls = fakeApi({
    "GET /api/users": () => json(pageOf([ADMIN, BOB])),
    [`PATCH /api/users/${BOB.id}`]: (call) => json({ ...BOB, ...(call.body as Partial<User>) }),
  });
  await renderAdmin("/admin/users");

  await userEvent.click(await screen.findByRole("button", { name: "Suspend Bob Buyer" }));

  expect(await screen.findByText("Bob Buyer is suspended and signed out everywhere.")).toBeInTheDocument();
  expect(calls.at(-1)?.body).toEqual({ status: "suspended" });
  const row = screen.getByRole("row", { name: /Bob Buyer/ });
  expect(within(row).getByText("Suspended")).toBeInTheDocument();
  expect(within(row).getByRole("button", { name: "Reinstate Bob Buyer" })).toBeEnabled();

  await userEvent.click(within(row).getByRole("button", { name: "Make admin: Bob Buyer" }));
  await waitFor(() => expect(calls.at(-1)?.body).toEqual({ role: "admin" }));
  expect(await within(row).findByRole("button", { name: "Make customer: Bob Buyer" })).toBeEnabled();
});

test("the search is in the address, and a refused change is explained", async () => {
  const calls = fakeApi({
    "GET /api/users": () => json(pageOf([BOB])),
    [`PATCH /api/users/${BOB.id}`]: () => problem(403, "You are not allowed to do that."),
  });
  await renderAdmin("/admin/users");

  await userEvent.type(await screen.findByLabelText("Search by name or email"), "bob");
  await userEvent.click(screen.getByRole("button", { name: "Search" }));
  await waitFor(() => expect(addressBar()).toHaveValue("/admin/users?q=bob"));
  await waitFor(() => expect(calls.at(-1)?.query.get("q")).toBe("bob"));

  await userEvent.click(await screen.findByRole("button", { name: "Make admin: Bob Buyer" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("Bob Buyer was not changed: You are not allowed to do that.");
});
