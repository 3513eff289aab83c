import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { empty, fakeApi, problem } from "../test/fakeApi";
import { renderPage } from "../test/render";
import { ForgotPasswordPage } from "./ForgotPassword";

async function ask(email: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Email"), email);
  await user.click(screen.getByRole("button", { name: "Send reset link" }));
}

function renderForgotPassword() {
  return renderPage({ "/forgot-password": <ForgotPasswordPage /> }, "/forgot-password");
}

describe("ForgotPasswordPage", () => {
  it("answers the same for any email, so nobody learns who has an account", async () => {
    // The users service answers 202 to every reset request, as the real one does.
    const calls = fakeApi({ "POST /api/auth/password-reset": () => empty(202) });
    await renderForgotPassword();

    await ask("nobody@example.com");

    expect(await screen.findByRole("status")).toHaveTextContent("If an account exists for that email, we sent a link");
    expect(calls.map(({ path, body }) => ({ path, body }))).toEqual([
      { path: "/api/auth/password-reset", body: { email: "nobody@example.com" } },
    ]);
  });

  it("shows a refused address next to the field", async () => {
    fakeApi({
      "POST /api/auth/password-reset": () =>
        problem(422, "The request is not valid.", {
          code: "validation_error",
          errors: [{ field: "email", message: "value is not a valid email address" }],
        }),
    });
    await renderForgotPassword();

    await ask("not-an-address");

    expect(await screen.findByLabelText("Email")).toHaveAccessibleDescription("value is not a valid email address");
  });
});
