import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";
import { fromTokenPair, session, type TokenPair, type User } from "../api/session";
import { AuthProvider } from "../auth/AuthContext";
import { CartProvider } from "../cart/CartContext";
import { LoginPage, safeNext } from "./Login";

const USER: User = {
  id: "u1",
  email: "ada@example.com",
  name: "Ada",
  phone: null,
  role: "customer",
  status: "active",
  email_verified: true,
  created_at: "2026-01-01T00:00:00Z",
  profile: {},
};

const PAIR: TokenPair = { access_token: "A1", refresh_token: "R1", expires_in: 900, token_type: "bearer", user: USER };

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type, ...headers } });
}

/** The users service: a login with `Secret123!` succeeds, anything else is refused. */
function stubLogin(refusal?: () => Response) {
  const logins: unknown[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      if (path === "/api/auth/me") return json(USER);
      if (path === "/api/auth/login") {
        const body = (await request.json()) as { email: string; password: string };
        logins.push(body);
        if (refusal) return refusal();
        if (body.password === "Secret123!") return json(PAIR);
        return json({ title: "Unauthorized", status: 401, detail: "The email or password is incorrect.", code: "invalid_credentials" }, 401);
      }
      return json({ title: "Not Found", status: 404 }, 404);
    }),
  );
  return logins;
}

function CurrentAddress() {
  const location = useLocation();
  return <output aria-label="Address">{location.pathname + location.search}</output>;
}

function renderAt(address: string) {
  return render(
    <MemoryRouter initialEntries={[address]}>
      <AuthProvider>
        <CartProvider>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route path="*" element={<CurrentAddress />} />
          </Routes>
        </CartProvider>
      </AuthProvider>
    </MemoryRouter>,
  );
}

async function signIn(password: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Email"), "ada@example.com");
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

beforeEach(() => session.clear("logout"));

describe("LoginPage", () => {
  it("signs in and goes back to the page in ?next=", async () => {
    const logins = stubLogin();
    renderAt(`/login?next=${encodeURIComponent("/orders?status=paid")}`);

    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    await signIn("Secret123!");

    expect(await screen.findByRole("status", { name: "Address" })).toHaveTextContent("/orders?status=paid");
    expect(logins).toEqual([{ email: "ada@example.com", password: "Secret123!" }]);
    expect(session.get()?.user.email).toBe("ada@example.com");
  });

  it("says the email or password is incorrect, and stays on the page signed out", async () => {
    stubLogin();
    renderAt("/login?next=/orders");

    await signIn("wrong-password");

    expect(await screen.findByRole("alert")).toHaveTextContent("Email or password is incorrect");
    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(session.get()).toBeNull();
  });

  it.each(["//evil.example/steal", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)"])(
    "refuses to send the shopper to another site after signing in (next=%s)",
    async (next) => {
      stubLogin();
      renderAt(`/login?next=${encodeURIComponent(next)}`);

      await signIn("Secret123!");

      expect(await screen.findByRole("status", { name: "Address" })).toHaveTextContent(/^\/$/);
    },
  );

  it("keeps paths of this site as they are", () => {
    expect(safeNext("/products?q=lamp&page=2")).toBe("/products?q=lamp&page=2");
    expect(safeNext(null)).toBe("/");
    expect(safeNext("orders")).toBe("/");
  });

  it("tells how long to wait after too many failed attempts", async () => {
    stubLogin(() =>
      json(
        { title: "Too Many Requests", status: 429, detail: "Too many failed sign-in attempts; retry later.", code: "login_throttled" },
        429,
        { "Retry-After": "840" },
      ),
    );
    renderAt("/login");

    await signIn("Secret123!");

    expect(await screen.findByRole("alert")).toHaveTextContent("Try again in 14 minutes");
  });

  it("sends a shopper who is already signed in straight on", async () => {
    stubLogin();
    session.set(fromTokenPair(PAIR));
    renderAt("/login?next=/account");

    expect(await screen.findByRole("status", { name: "Address" })).toHaveTextContent("/account");
  });

  it("explains that the session expired when it ended on its own", async () => {
    stubLogin();
    renderAt("/login");
    // The refresh token was refused while the shopper was away.
    act(() => {
      session.set(fromTokenPair(PAIR));
      session.clear("expired");
    });

    expect(await screen.findByText("Your session has expired. Please sign in again.")).toBeInTheDocument();
  });
});
