import { render, screen, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { fromTokenPair, session, type User } from "../api/session";
import type { Notification, NotificationPage } from "../api/types";
import { AuthProvider } from "../auth/AuthContext";
import { CartProvider } from "../cart/CartContext";
import { NotificationsPage } from "./Notifications";

const USER: User = {
  id: "u1",
  email: "grace@example.com",
  name: "Grace",
  phone: null,
  role: "customer",
  status: "active",
  email_verified: true,
  created_at: "2026-01-01T00:00:00Z",
  profile: {},
};

function notification(overrides: Partial<Notification>): Notification {
  return {
    id: "n1",
    user_id: USER.id,
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

function json(body: unknown, status = 200): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

function stubInbox(answer: (url: URL) => Response) {
  const asked: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === "/api/auth/me") return json(USER);
      if (url.pathname === "/api/notifications") {
        asked.push(url.search);
        return answer(url);
      }
      return json({ title: "Not Found", status: 404 }, 404);
    }),
  );
  return asked;
}

function renderAt(address: string) {
  session.set(fromTokenPair({ access_token: "A1", refresh_token: "R1", expires_in: 900, token_type: "bearer", user: USER }));
  return render(
    <MemoryRouter initialEntries={[address]}>
      <AuthProvider>
        <CartProvider>
          <Routes>
            <Route path="/notifications" element={<NotificationsPage />} />
          </Routes>
        </CartProvider>
      </AuthProvider>
    </MemoryRouter>,
  );
}

beforeEach(() => session.clear("logout"));

describe("NotificationsPage", () => {
  it("lists the messages of the page in the URL with their channel, status and text", async () => {
    const page: NotificationPage = {
      items: [
        notification({}),
        notification({ id: "n2", type: "sms", title: "Your order shipped", message: "On its way.", status: "failed", last_error: "No SMS provider is configured." }),
      ],
      total: 22,
      page: 2,
      limit: 20,
      pages: 2,
    };
    const asked = stubInbox(() => json(page));
    renderAt("/notifications?page=2");

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
    expect(asked).toEqual(["?page=2&limit=20"]);
    expect(screen.getByRole("navigation", { name: "Message pages" })).toBeInTheDocument();
  });

  it("has an empty state for a shopper without messages", async () => {
    stubInbox(() => json({ items: [], total: 0, page: 1, limit: 20, pages: 0 }));
    renderAt("/notifications");

    expect(await screen.findByText("No messages yet")).toBeInTheDocument();
  });

  it("shows a failed load with a retry", async () => {
    stubInbox(() => json({ title: "Service Unavailable", status: 503, detail: "Down." }, 503));
    renderAt("/notifications");

    expect(await screen.findByRole("alert")).toHaveTextContent("Your messages could not be loaded.");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
