/** Test support for the admin pages: the gateway as a table of answers shaped exactly like the
 * API's, a signed-in admin, and the admin routes rendered at an address. */

import { act, render } from "@testing-library/react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";
import { session } from "../api/session";
import type { User } from "../api/types";
import { AuthProvider } from "../auth/AuthContext";
import { CartProvider } from "../cart/CartContext";
import AdminRoutes from "./AdminRoutes";

export const ADMIN: User = {
  id: "aaaaaaaa-0000-4000-8000-000000000001",
  email: "admin@example.com",
  name: "Ada Admin",
  phone: null,
  role: "admin",
  status: "active",
  email_verified: true,
  created_at: "2026-01-01T00:00:00Z",
  profile: { first_name: null, last_name: null, avatar_url: null, bio: null, address: null },
} as User;

export function json(body: unknown, status = 200): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

export function problem(status: number, detail: string, extra: Record<string, unknown> = {}): Response {
  return json({ type: "about:blank", title: "Error", status, detail, request_id: "r1", ...extra }, status);
}

/** A request as the service received it. */
export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

/** `"PATCH /api/orders/1/status"` -> the answer; a handler that throws is a network failure. */
export type Routes = Record<string, (call: Call) => Response | Promise<Response>>;

/** Stubs fetch with `routes` (plus who is signed in); every call is kept, in order. */
export function fakeApi(routes: Routes): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      const text = await request.text();
      const call: Call = {
        method: request.method,
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
      };
      const key = `${call.method} ${call.path}`;
      if (key === "GET /api/auth/me") return json(ADMIN);
      calls.push(call);
      const answer = routes[key];
      return answer ? answer(call) : problem(404, `No stub for ${key}`);
    }),
  );
  return calls;
}

function CurrentAddress() {
  const location = useLocation();
  return <output aria-label="Address">{location.pathname + location.search}</output>;
}

/** The admin area at `address`, with `user` signed in (and read once more, as the app does). */
export async function renderAdmin(address: string, user: User = ADMIN) {
  session.set({ accessToken: "token", refreshToken: "refresh", expiresAt: Date.now() + 600_000, user });
  const rendered = render(
    <MemoryRouter initialEntries={[address]}>
      <AuthProvider>
        <CartProvider>
          <Routes>
            <Route path="/admin/*" element={<AdminRoutes />} />
          </Routes>
          <CurrentAddress />
        </CartProvider>
      </AuthProvider>
    </MemoryRouter>,
  );
  await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
  return rendered;
}

afterEach(() => act(() => session.clear("logout")));
