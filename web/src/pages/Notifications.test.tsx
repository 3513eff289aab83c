import { screen, within } from "@testing-library/react";
import type { Notification } from "../api/types";
import { SHOPPER, pageOf } from "../test/builders";
import { fakeApi, json, problem } from "../test/fakeApi";
import { renderPage, signIn } from "../test/render";
import { NotificationsPage } from "./Notifications";

function notification(overrides: Partial<Notification>): Notification {
  return {
    id: "n1",
    user_id: SHOPPER.id,
    type: "email",
    template: "order_confirmation",
    title: "Order MC-7Q2K confirmed",
    message: "Thank you for your order.\nTotal: $19.99\nSee it at http://localhost:3000/orders/o1",
    status: "sent",
    attempts: 1,
    sent_at: "2026-11-25T10:00:05Z",
    created_at: "2026-11-25T10:00:00Z",
    last_error: null,
    ...overrides,
  };
}

function renderAt(address: string) {
  signIn();
  return renderPage({ "/notifications": <NotificationsPage /> }, address);
}

describe("NotificationsPage", () => {
  it("lists the messages of the page in the URL with their channel, status and text", async () => {
    const page = pageOf(
      [
        notification({}),
        notification({ id: "n2", type: "sms", title: "Your order shipped", message: "On its way.", status: "failed", last_error: "No SMS provider is configured." }),
      ],
      { page: 2, total: 22 },
    );
    const calls = fakeApi({ "GET /api/notifications": () => json(page) });
    await renderAt("/notifications?page=2");

    const list = await screen.findByRole("list", { name: "Messages" });
    const items = within(list).getAllByRole("listitem");
    expect(items).toHaveLength(2);
    const first = within(items[0] as HTMLElement);
    expect(first.getByRole("heading", { name: "Order MC-7Q2K confirmed" })).toBeInTheDocument();
    expect(first.getByText("Email")).toBeInTheDocument();
    expect(first.getByText("Sent")).toBeInTheDocument();
    // Plain text with its line breaks kept (the page styles it `white-space: pre-line`).
    expect(first.getByText(/Thank you for your order/).textContent).toContain("Thank you for your order.\nTotal: $19.99\n");
    expect(first.getByRole("link", { name: "http://localhost:3000/orders/o1" })).toHaveAttribute("href", "http://localhost:3000/orders/o1");
    const second = within(items[1] as HTMLElement);
    expect(second.getByText("Failed")).toBeInTheDocument();
    expect(second.getByText(/No SMS provider is configured/)).toBeInTheDocument();
    const inbox = calls.filter((call) => call.path === "/api/notifications");
    expect(inbox.map((call) => call.pathAndQuery)).toEqual(["/api/notifications?page=2&limit=20"]);
    expect(screen.getByRole("navigation", { name: "Message pages" })).toBeInTheDocument();
  });

  it("has an empty state for a shopper without messages", async () => {
    fakeApi({ "GET /api/notifications": () => json(pageOf([])) });
    await renderAt("/notifications");

    expect(await screen.findByText("No messages yet")).toBeInTheDocument();
  });

  it("shows a failed load with a retry", async () => {
    fakeApi({ "GET /api/notifications": () => problem(503, "Down.") });
    await renderAt("/notifications");

    expect(await screen.findByRole("alert")).toHaveTextContent("Your messages could not be loaded.");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
