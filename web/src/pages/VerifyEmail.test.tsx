import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { StrictMode } from "react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { fromTokenPair, session, type User } from "../api/session";
import { AuthProvider } from "../auth/AuthContext";
import { CartProvider } from "../cart/CartContext";
import { VerifyEmailPage } from "./VerifyEmail";

const USER: User = {
  id: "u1",
  email: "grace@example.com",
  name: "Grace",
  phone: null,
  role: "customer",
  status: "active",
  email_verified: false,
  created_at: "2026-01-01T00:00:00Z",
  profile: {},
};

function json(body: unknown, status = 200): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

const INVALID = () =>
  json({ title: "Bad Request", status: 400, detail: "The token is invalid, expired or already used.", code: "invalid_token" }, 400);

/** The users service: the token `good-*` verifies once (a second use is refused, as the real
 * service does), anything else is invalid. Every request is kept as "METHOD path". */
function stubUsers() {
  const calls: string[] = [];
  const spent = new Set<string>();
  let verified = false;
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      calls.push(`${request.method} ${path}`);
      if (path === "/api/auth/me") return json({ ...USER, email_verified: verified });
      if (path === "/api/auth/verify-email/resend") return new Response(null, { status: 202 });
      if (path === "/api/auth/verify-email") {
        const { token } = (await request.json()) as { token: string };
        if (!token.startsWith("good-") || spent.has(token)) return INVALID();
        spent.add(token);
        verified = true;
        return new Response(null, { status: 204 });
      }
      return json({ title: "Not Found", status: 404 }, 404);
    }),
  );
  return calls;
}

function renderAt(address: string) {
  return render(
    <StrictMode>
      <MemoryRouter initialEntries={[address]}>
        <AuthProvider>
          <CartProvider>
            <Routes>
              <Route path="/verify-email" element={<VerifyEmailPage />} />
            </Routes>
          </CartProvider>
        </AuthProvider>
      </MemoryRouter>
    </StrictMode>,
  );
}

function signIn() {
  session.set(fromTokenPair({ access_token: "A1", refresh_token: "R1", expires_in: 900, token_type: "bearer", user: USER }));
}

beforeEach(() => session.clear("logout"));

describe("VerifyEmailPage", () => {
  it("spends the token exactly once under StrictMode and says the email is verified", async () => {
    const calls = stubUsers();
    renderAt("/verify-email?token=good-strict");

    expect(screen.getByRole("heading", { level: 1, name: "Verify email" })).toBeInTheDocument();
    expect(await screen.findByText(/Your email is verified/)).toBeInTheDocument();
    expect(calls.filter((call) => call === "POST /api/auth/verify-email")).toHaveLength(1);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("reads the signed-in user again once verified", async () => {
    signIn();
    const calls = stubUsers();
    renderAt("/verify-email?token=good-signed-in");

    expect(await screen.findByText(/Your email is verified/)).toBeInTheDocument();
    await vi.waitFor(() => expect(session.get()?.user.email_verified).toBe(true));
    expect(calls.filter((call) => call === "POST /api/auth/verify-email")).toHaveLength(1);
  });

  it("says an invalid link is invalid and lets a signed-in shopper ask for a new one", async () => {
    signIn();
    const calls = stubUsers();
    renderAt("/verify-email?token=spent-long-ago");

    expect(await screen.findByRole("alert")).toHaveTextContent("This link is invalid or has expired");
    await userEvent.setup().click(screen.getByRole("button", { name: "Send a new link" }));

    expect(await screen.findByText(/We sent a new link to grace@example\.com/)).toBeInTheDocument();
    expect(calls).toContain("POST /api/auth/verify-email/resend");
  });

  it("asks a signed-out shopper to sign in for a new link", async () => {
    stubUsers();
    renderAt("/verify-email?token=spent-long-ago-2");

    expect(await screen.findByRole("alert")).toHaveTextContent("This link is invalid or has expired");
    expect(screen.queryByRole("button", { name: "Send a new link" })).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: /Sign in to ask for a new verification link/ })).toHaveAttribute(
      "href",
      "/login?next=%2Faccount",
    );
  });

  it("treats a link without a token as invalid without calling the service", async () => {
    const calls = stubUsers();
    renderAt("/verify-email");

    expect(await screen.findByRole("alert")).toHaveTextContent("This link is invalid or has expired");
    expect(calls.filter((call) => call.includes("verify-email"))).toEqual([]);
  });
});
