import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { empty, fakeApi, problem, type Call } from "../test/fakeApi";
import { renderPage } from "../test/render";
import { ResetPasswordPage } from "./ResetPassword";

/** The users service's password-reset endpoints: only the token `good` is valid. */
function fakeReset(): Call[] {
  return fakeApi({
    "POST /api/auth/password-reset": () => empty(202),
    "POST /api/auth/password-reset/confirm": (call) =>
      (call.body as { token: string }).token === "good"
        ? empty(204)
        : problem(400, "The token is invalid, expired or already used.", { code: "invalid_token" }),
  });
}

function requests(calls: Call[]): { path: string; body: unknown }[] {
  return calls.map(({ path, body }) => ({ path, body }));
}

function renderAt(address: string) {
  return renderPage({ "/reset-password": <ResetPasswordPage /> }, address);
}

async function choose(password: string, confirm = password) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("New password"), password);
  await user.type(screen.getByLabelText("Confirm new password"), confirm);
  await user.click(screen.getByRole("button", { name: "Set new password" }));
}

describe("ResetPasswordPage", () => {
  it("checks that the two passwords match before sending", async () => {
    const calls = fakeReset();
    await renderAt("/reset-password?token=good");

    await choose("a new secret", "a new secrte");

    expect(screen.getByLabelText("Confirm new password")).toHaveAccessibleDescription("The two passwords do not match.");
    expect(requests(calls)).toEqual([]);
  });

  it("sets the new password and offers to sign in with it", async () => {
    const calls = fakeReset();
    await renderAt("/reset-password?token=good");

    await choose("a new secret");

    expect(await screen.findByRole("status")).toHaveTextContent("Your password has been changed.");
    expect(screen.getByRole("link", { name: "Sign in with your new password" })).toHaveAttribute("href", "/login");
    expect(requests(calls)).toEqual([{ path: "/api/auth/password-reset/confirm", body: { token: "good", new_password: "a new secret" } }]);
  });

  it("says a used or expired link is invalid, with a way to ask for a new one", async () => {
    fakeReset();
    await renderAt("/reset-password?token=used");

    await choose("a new secret");

    expect(await screen.findByRole("alert")).toHaveTextContent("This link is invalid or has expired");
    expect(screen.getByRole("link", { name: "Ask for a new link" })).toHaveAttribute("href", "/forgot-password");
  });

  it("says a link without a token is invalid", async () => {
    await renderAt("/reset-password");

    expect(screen.getByRole("alert")).toHaveTextContent("This link is invalid or has expired");
    expect(screen.queryByLabelText("New password")).not.toBeInTheDocument();
  });
});
