import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { session } from "../api/session";
import { SHOPPER } from "../test/builders";
import { fakeApi, json, problem, type Call } from "../test/fakeApi";
import { addressBar, renderPage, signIn, tokenPair } from "../test/render";
import { LoginPage, safeNext } from "./Login";

/** The users service: a login with `Secret123!` succeeds, anything else is refused. */
function fakeLogin(refusal?: () => Response): Call[] {
  return fakeApi({
    "POST /api/auth/login": (call) => {
      if (refusal) return refusal();
      const { password } = call.body as { email: string; password: string };
      if (password === "Secret123!") return json(tokenPair(SHOPPER));
      return problem(401, "The email or password is incorrect.", { code: "invalid_credentials" });
    },
  });
}

function renderAt(address: string) {
  return renderPage({ "/login": <LoginPage /> }, address);
}

async function submitLogin(password: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Email"), "ada@example.com");
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("LoginPage", () => {
  it("signs in and goes back to the page in ?next=", async () => {
    const calls = fakeLogin();
    await renderAt(`/login?next=${encodeURIComponent("/orders?status=paid")}`);

    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    await submitLogin("Secret123!");

    await waitFor(() => expect(addressBar()).toHaveValue("/orders?status=paid"));
    const logins = calls.filter((call) => call.path === "/api/auth/login").map((call) => call.body);
    expect(logins).toEqual([{ email: "ada@example.com", password: "Secret123!" }]);
    expect(session.get()?.user.email).toBe("ada@example.com");
  });

  it("says the email or password is incorrect, and stays on the page signed out", async () => {
    fakeLogin();
    await renderAt("/login?next=/orders");

    await submitLogin("wrong-password");

    expect(await screen.findByRole("alert")).toHaveTextContent("Email or password is incorrect");
    expect(screen.getByRole("heading", { level: 1, name: "Sign in" })).toBeInTheDocument();
    expect(session.get()).toBeNull();
  });

  it.each(["//evil.example/steal", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "javascript:alert(1)"])(
    "refuses to send the shopper to another site after signing in (next=%s)",
    async (next) => {
      fakeLogin();
      await renderAt(`/login?next=${encodeURIComponent(next)}`);

      await submitLogin("Secret123!");

      await waitFor(() => expect(addressBar()).toHaveValue("/"));
    },
  );

  it("keeps paths of this site as they are", () => {
    expect(safeNext("/products?q=lamp&page=2")).toBe("/products?q=lamp&page=2");
    expect(safeNext(null)).toBe("/");
    expect(safeNext("orders")).toBe("/");
  });

  it("tells how long to wait after too many failed attempts", async () => {
    fakeLogin(() =>
      problem(429, "Too many failed sign-in attempts; retry later.", { code: "login_throttled" }, { "Retry-After": "840" }),
    );
    await renderAt("/login");

    await submitLogin("Secret123!");

    expect(await screen.findByRole("alert")).toHaveTextContent("Try again in 14 minutes");
  });

  it("sends a shopper who is already signed in straight on", async () => {
    fakeLogin();
    signIn(SHOPPER);
    await renderAt("/login?next=/account");

    await waitFor(() => expect(addressBar()).toHaveValue("/account"));
  });

  it("explains that the session expired when it ended on its own", async () => {
    fakeLogin();
    await renderAt("/login");
    // The refresh token was refused while the shopper was away.
    act(() => {
      signIn(SHOPPER);
      session.clear("expired");
    });

    expect(await screen.findByText("Your session has expired. Please sign in again.")).toBeInTheDocument();
  });
});
