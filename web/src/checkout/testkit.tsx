/** For the shopping pages' tests: a stand-in for the gateway answering like the real API
 * (JSON bodies, problem details), a signed-in shopper, a seeded cart, and the app's providers. */

import { act, cleanup, render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";
import { vi } from "vitest";
import { fromTokenPair, session } from "../api/session";
import type { Order, Product, User } from "../api/types";
import { AuthProvider } from "../auth/AuthContext";
import { CartProvider } from "../cart/CartContext";
import { saveCart, type CartLine } from "../cart/storage";

export const SHOPPER: User = {
  id: "7f6c1d2e-0000-4000-8000-000000000001",
  email: "ada@example.com",
  email_verified: true,
  name: "Ada Lovelace",
  phone: null,
  role: "customer",
  status: "active",
  created_at: "2026-11-20T10:00:00Z",
  profile: { address: null },
};

export function product(overrides: Partial<Product> & { id: string; name: string }): Product {
  return {
    description: "",
    price: "10.00",
    currency: "USD",
    sku: `SKU-${overrides.id.slice(0, 4)}`,
    stock: 20,
    image_url: null,
    category: null,
    is_active: true,
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-20T10:00:00Z",
    ...overrides,
  };
}

export function lineOf(item: Product, quantity: number): CartLine {
  return {
    productId: item.id,
    name: item.name,
    price: item.price,
    currency: item.currency,
    imageUrl: item.image_url,
    stock: item.stock,
    quantity,
  };
}

export function order(overrides: Partial<Order> = {}): Order {
  return {
    id: "0b8e4d6a-0000-4000-8000-0000000000aa",
    order_number: "MC-7Q2K-4XPA",
    user_id: SHOPPER.id,
    status: "paid",
    items: [
      { product_id: "p-1", name: "Linen apron", sku: "APR-1", quantity: 2, unit_price: "24.50", line_total: "49.00" },
    ],
    total_amount: "49.00",
    currency: "USD",
    shipping_address: { name: "Ada Lovelace", line1: "12 Analytical St", city: "London", postal_code: "N1 7AA", country: "GB" },
    payment: { id: "pay-1", status: "succeeded", failure_code: null },
    status_history: [{ status: "pending", at: "2026-11-25T10:00:00Z", note: null }],
    created_at: "2026-11-25T10:00:00Z",
    updated_at: "2026-11-25T10:00:00Z",
    ...overrides,
  };
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function problem(status: number, body: Record<string, unknown>): Response {
  return new Response(JSON.stringify({ type: "about:blank", status, request_id: "req-1", ...body }), {
    status,
    headers: { "Content-Type": "application/problem+json" },
  });
}

/** One request the fake gateway received, with its body already read. */
export interface Sent {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

type Handler = (request: Sent) => Response | Promise<Response>;

/** Stubs fetch: each request goes to the handler for "METHOD /path" (the first match, tried in
 * order, `*` matching one path segment); `/api/auth/me` answers the shopper unless handled. */
export function fakeGateway(routes: Record<string, Handler>) {
  const sent: Sent[] = [];
  const fetch = vi.fn(async (input: Request) => {
    const url = new URL(input.url);
    const text = input.method === "GET" ? "" : await input.text();
    const request: Sent = {
      method: input.method,
      path: url.pathname + url.search,
      headers: input.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
    sent.push(request);
    for (const [route, handler] of Object.entries(routes)) {
      const [method, pattern = ""] = route.split(" ");
      const expression = new RegExp(`^${pattern.replace(/[.?]/g, "\\$&").replace(/\*/g, "[^/?]+")}$`);
      if (method === input.method && (expression.test(url.pathname) || expression.test(request.path))) {
        return handler(request);
      }
    }
    if (url.pathname === "/api/auth/me") return json(SHOPPER);
    return problem(404, { title: "Not Found", detail: `No fake route for ${input.method} ${request.path}` });
  });
  vi.stubGlobal("fetch", fetch);
  return { sent, fetch };
}

export function signIn(user: User = SHOPPER): void {
  session.set(
    fromTokenPair({
      access_token: "access",
      refresh_token: "refresh",
      token_type: "bearer",
      expires_in: 3600,
      user,
    }),
  );
}

/** Unmounts the page first, so signing out does not update a page nobody looks at. */
export function signOut(): void {
  cleanup();
  session.clear("logout");
}

export function seedCart(userId: string | null, lines: CartLine[]): void {
  saveCart(userId, lines);
}

/** Shows where the app navigated to, so a test can assert it. */
function WhereAmI() {
  const location = useLocation();
  return <div data-testid="location">{location.pathname + location.search}</div>;
}

/** Renders the routes at `at` and lets the first requests (the shopper's profile, the page's
 * data) answer, as a browser would before anyone looks. */
export async function renderPage(
  routes: Record<string, ReactNode>,
  at: string | { pathname: string; state?: unknown },
): Promise<void> {
  await act(async () => {
    render(
    <MemoryRouter initialEntries={[at]}>
      <AuthProvider>
        <CartProvider>
          <Routes>
            {Object.entries(routes).map(([path, element]) => (
              <Route key={path} path={path} element={element} />
            ))}
            <Route path="*" element={<p>Elsewhere</p>} />
          </Routes>
          <WhereAmI />
        </CartProvider>
      </AuthProvider>
    </MemoryRouter>,
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}
