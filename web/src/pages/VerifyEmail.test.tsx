import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { session } from "../api/session";
import { user } from "../test/builders";
import { empty, fakeApi, json, problem, type Call } from "../test/fakeApi";
import { renderPage, signIn } from "../test/render";
import { VerifyEmailPage } from "./VerifyEmail";

const GRACE = user({ email: "grace@example.com", name: "Grace", email_verified: false });

/** The users service: the token `good-*` verifies once (a second use is refused, as the real
 * service does), anything else is invalid. */
function fakeUsers(): Call[] {
  const spent = new Set<string>();
  let verified = false;
  return fakeApi({
    "GET /api/auth/me": () => json({ ...GRACE, email_verified: verified }),
    "POST /api/auth/verify-email/resend": () => empty(202),
    "POST /api/auth/verify-email": (call) => {
      const { token } = call.body as { token: string };
      if (!token.startsWith("good-") || spent.has(token)) {
        return problem(400, "The token is invalid, expired or already used.", { code: "invalid_token" });
      }
      spent.add(token);
      verified = true;
      return empty(204);
    },
  });
}

/** The requests sent so far, as "METHOD path". */
function requests(calls: Call[]): string[] {
  return calls.map((call) => `${call.method} ${call.path}`);
}

function renderAt(address: string) {
  return renderPage({ "/verify-email": <VerifyEmailPage /> }, address, { strict: true });
}

describe("VerifyEmailPage", () => {
  it("spends the token exactly once under StrictMode and says the email is verified", async () => {
    const calls = fakeUsers();
    await renderAt("/verify-email?token=good-strict");

    expect(screen.getByRole("heading", { level: 1, name: "Verify email" })).toBeInTheDocument();
    expect(await screen.findByText(/Your email is verified/)).toBeInTheDocument();
    expect(requests(calls).filter((call) => call === "POST /api/auth/verify-email")).toHaveLength(1);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("reads the signed-in user again once verified", async () => {
    signIn(GRACE);
    const calls = fakeUsers();
    await renderAt("/verify-email?token=good-signed-in");

    expect(await screen.findByText(/Your email is verified/)).toBeInTheDocument();
    await vi.waitFor(() => expect(session.get()?.user.email_verified).toBe(true));
    expect(requests(calls).filter((call) => call === "POST /api/auth/verify-email")).toHaveLength(1);
  });

  it("says an invalid link is invalid and lets a signed-in shopper ask for a new one", async () => {
    signIn(GRACE);
    const calls = fakeUsers();
    await renderAt("/verify-email?token=spent-long-ago");

    expect(await screen.findByRole("alert")).toHaveTextContent("This link is invalid or has expired");
    await userEvent.setup().click(screen.getByRole("button", { name: "Send a new link" }));

    expect(await screen.findByText(/We sent a new link to grace@example\.com/)).toBeInTheDocument();
    expect(requests(calls)).toContain("POST /api/auth/verify-email/resend");
  });

  it("asks a signed-out shopper to sign in for a new link", async () => {
    fakeUsers();
    await renderAt("/verify-email?token=spent-long-ago-2");

    expect(await screen.findByRole("alert")).toHaveTextContent("This link is invalid or has expired");
    expect(screen.queryByRole("button", { name: "Send a new link" })).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: /Sign in to ask for a new verification link/ })).toHaveAttribute(
      "href",
      "/login?next=%2Faccount",
    );
  });

  it("treats a link without a token as invalid without calling the service", async () => {
    const calls = fakeUsers();
    await renderAt("/verify-email");

    expect(await screen.findByRole("alert")).toHaveTextContent("This link is invalid or has expired");
    expect(requests(calls).filter((call) => call.includes("verify-email"))).toEqual([]);
  });
});
