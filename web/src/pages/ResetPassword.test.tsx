import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { session } from "../api/session";
import { AuthProvider } from "../auth/AuthContext";
import { CartProvider } from "../cart/CartContext";
import { ResetPasswordPage } from "./ResetPassword";

function json(body: unknown, status = 200): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

/** The users service's password-reset endpoints: only the token `good` is valid. */
function stubReset() {
  const sent: { path: string; body: unknown }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      const body = (await request.json()) as Record<string, string>;
      sent.push({ path, body });
      if (path === "/api/auth/password-reset") return new Response(null, { status: 202 });
      if (path === "/api/auth/password-reset/confirm") {
        if (body.token === "good") return new Response(null, { status: 204 });
        return json({ title: "Bad Request", status: 400, detail: "The token is invalid, expired or already used.", code: "invalid_token" }, 400);
      }
      return json({ title: "Not Found", status: 404 }, 404);
    }),
  );
  return sent;
}

function renderAt(address: string) {
  return render(
    <MemoryRouter initialEntries={[address]}>
      <AuthProvider>
        <CartProvider>
          <Routes>
            <Route path="/reset-password" element={<ResetPasswordPage />} />
          </Routes>
        </CartProvider>
      </AuthProvider>
    </MemoryRouter>,
  );
}

async function choose(password: string, confirm = password) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("New password"), password);
  await user.type(screen.getByLabelText("Confirm new password"), confirm);
  await user.click(screen.getByRole("button", { name: "Set new password" }));
}

beforeEach(() => session.clear("logout"));

describe("ResetPasswordPage", () => {
  it("checks that the two passwords match before sending", async () => {
    const sent = stubReset();
    renderAt("/reset-password?token=good");

    await choose("a new secret", "a new secrte");

    expect(screen.getByLabelText("Confirm new password")).toHaveAccessibleDescription("The two passwords do not match.");
    expect(sent).toEqual([]);
  });

  it("sets the new password and offers to sign in with it", async () => {
    const sent = stubReset();
    renderAt("/reset-password?token=good");

    await choose("a new secret");

    expect(await screen.findByRole("status")).toHaveTextContent("Your password has been changed.");
    expect(screen.getByRole("link", { name: "Sign in with your new password" })).toHaveAttribute("href", "/login");
    expect(sent).toEqual([{ path: "/api/auth/password-reset/confirm", body: { token: "good", new_password: "a new secret" } }]);
  });

  it("says a used or expired link is invalid, with a way to ask for a new one", async () => {
    stubReset();
    renderAt("/reset-password?token=used");

    await choose("a new secret");

    expect(await screen.findByRole("alert")).toHaveTextContent("This link is invalid or has expired");
    expect(screen.getByRole("link", { name: "Ask for a new link" })).toHaveAttribute("href", "/forgot-password");
  });

  it("says a link without a token is invalid", () => {
    renderAt("/reset-password");

    expect(screen.getByRole("alert")).toHaveTextContent("This link is invalid or has expired");
    expect(screen.queryByLabelText("New password")).not.toBeInTheDocument();
  });
});
