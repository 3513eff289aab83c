import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { ForgotPasswordPage } from "./ForgotPassword";

function json(body: unknown, status = 200): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

/** The users service answers 202 to every reset request, as the real one does. */
function stubReset(answer: () => Response = () => new Response(null, { status: 202 })) {
  const sent: unknown[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      sent.push({ path: new URL(request.url).pathname, body: await request.json() });
      return answer();
    }),
  );
  return sent;
}

async function ask(email: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Email"), email);
  await user.click(screen.getByRole("button", { name: "Send reset link" }));
}

function renderPage() {
  return render(
    <MemoryRouter initialEntries={["/forgot-password"]}>
      <ForgotPasswordPage />
    </MemoryRouter>,
  );
}

describe("ForgotPasswordPage", () => {
  it("answers the same for any email, so nobody learns who has an account", async () => {
    const sent = stubReset();
    renderPage();

    await ask("nobody@example.com");

    expect(await screen.findByRole("status")).toHaveTextContent("If an account exists for that email, we sent a link");
    expect(sent).toEqual([{ path: "/api/auth/password-reset", body: { email: "nobody@example.com" } }]);
  });

  it("shows a refused address next to the field", async () => {
    stubReset(() =>
      json(
        { status: 422, detail: "The request is not valid.", errors: [{ field: "email", message: "value is not a valid email address" }] },
        422,
      ),
    );
    renderPage();

    await ask("not-an-address");

    expect(await screen.findByLabelText("Email")).toHaveAccessibleDescription("value is not a valid email address");
  });
});
