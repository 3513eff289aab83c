import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";
import { session, type TokenPair, type User } from "../api/session";
import { AuthProvider } from "../auth/AuthContext";
import { CartProvider } from "../cart/CartContext";
import { RegisterPage } from "./Register";

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

const PAIR: TokenPair = { access_token: "A1", refresh_token: "R1", expires_in: 900, token_type: "bearer", user: USER };

function json(body: unknown, status = 200): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

/** The users service's registration endpoint, answering `answer`; bodies sent are kept. */
function stubRegister(answer: () => Response) {
  const sent: unknown[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      if (path === "/api/auth/register") {
        sent.push(await request.json());
        return answer();
      }
      if (path === "/api/auth/me") return json(USER);
      return json({ title: "Not Found", status: 404 }, 404);
    }),
  );
  return sent;
}

function Arrived() {
  const location = useLocation();
  const state = location.state as { notice?: string } | null;
  return (
    <>
      <output aria-label="Address">{location.pathname + location.search}</output>
      <p>{state?.notice}</p>
    </>
  );
}

function renderAt(address: string) {
  return render(
    <MemoryRouter initialEntries={[address]}>
      <AuthProvider>
        <CartProvider>
          <Routes>
            <Route path="/register" element={<RegisterPage />} />
            <Route path="*" element={<Arrived />} />
          </Routes>
        </CartProvider>
      </AuthProvider>
    </MemoryRouter>,
  );
}

async function fillIn({ password = "long enough", phone = "" } = {}) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Name"), "Grace");
  await user.type(screen.getByLabelText("Email"), "grace@example.com");
  await user.type(screen.getByLabelText("Password"), password);
  if (phone) await user.type(screen.getByLabelText("Phone (optional)"), phone);
  await user.click(screen.getByRole("button", { name: "Create account" }));
}

beforeEach(() => session.clear("logout"));

describe("RegisterPage", () => {
  it("shows the API's validation errors next to the fields they are about", async () => {
    stubRegister(() =>
      json(
        {
          title: "Unprocessable Entity",
          status: 422,
          detail: "The request is not valid.",
          code: "validation_error",
          errors: [
            { field: "email", message: "value is not a valid email address: The domain name example.invalid does not exist." },
            { field: "phone", message: "String should match pattern '^\\+?[0-9 ().\\-]{3,32}$'" },
          ],
        },
        422,
      ),
    );
    renderAt("/register");

    await fillIn({ phone: "+1 555 0100" });

    expect(await screen.findByRole("alert")).toHaveTextContent("Some fields need attention");
    const email = screen.getByLabelText("Email");
    expect(email).toHaveAttribute("aria-invalid", "true");
    expect(email).toHaveAccessibleDescription(/not a valid email address/);
    expect(email).toHaveFocus();
    // pydantic's pattern message is for developers: the shopper reads what a phone number may hold.
    expect(screen.getByLabelText("Phone (optional)")).toHaveAccessibleDescription(/Use digits, spaces and \+ \( \) \. - only/);
    expect(screen.getByLabelText("Name")).not.toHaveAttribute("aria-invalid");
    expect(session.get()).toBeNull();
  });

  it("shows the password rule of the API without its validator prefix", async () => {
    stubRegister(() =>
      json(
        {
          status: 422,
          detail: "The request is not valid.",
          errors: [{ field: "password", message: "Value error, The password must be at most 72 bytes in UTF-8." }],
        },
        422,
      ),
    );
    renderAt("/register");

    await fillIn({ password: "ü".repeat(40) });

    expect(await screen.findByText("The password must be at most 72 bytes in UTF-8.")).toBeInTheDocument();
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
  });

  it("checks the password length and the phone number before sending anything", async () => {
    const sent = stubRegister(() => json(PAIR, 201));
    renderAt("/register");

    await fillIn({ password: "short", phone: "call me" });

    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription(/at least 8 characters/i);
    expect(screen.getByLabelText("Password")).toHaveFocus();
    expect(screen.getByLabelText("Phone (optional)")).toHaveAccessibleDescription(/Use digits, spaces/);
    expect(sent).toEqual([]);
  });

  it("says an email is taken next to the email field, with a way to sign in", async () => {
    stubRegister(() =>
      json({ title: "Conflict", status: 409, detail: "An account with this email already exists.", code: "email_taken" }, 409),
    );
    renderAt("/register?next=/checkout");

    await fillIn();

    const email = await screen.findByLabelText("Email");
    expect(await screen.findByText("An account with this email already exists.")).toBeInTheDocument();
    expect(email).toHaveAccessibleDescription(/An account with this email already exists/);
    expect(screen.getByRole("link", { name: "Sign in with this email instead" })).toHaveAttribute(
      "href",
      "/login?next=%2Fcheckout",
    );
  });

  it("signs the new shopper in and goes on to ?next= with a word about the verification email", async () => {
    const sent = stubRegister(() => json(PAIR, 201));
    renderAt("/register?next=/checkout");

    await fillIn();

    expect(await screen.findByRole("status", { name: "Address" })).toHaveTextContent("/checkout");
    expect(screen.getByText(/sent a verification link to grace@example\.com/)).toBeInTheDocument();
    expect(sent).toEqual([{ name: "Grace", email: "grace@example.com", password: "long enough", phone: null }]);
    expect(session.get()?.user.email).toBe("grace@example.com");
  });
});
