import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { session } from "../api/session";
import { user } from "../test/builders";
import { fakeApi, json, problem, type Call } from "../test/fakeApi";
import { addressBar, renderPage, tokenPair } from "../test/render";
import { RegisterPage } from "./Register";

const GRACE = user({ email: "grace@example.com", name: "Grace", email_verified: false });

/** The users service's registration endpoint, answering `answer`. */
function fakeRegister(answer: () => Response): Call[] {
  return fakeApi({ "POST /api/auth/register": answer });
}

function registrations(calls: Call[]): unknown[] {
  return calls.filter((call) => call.path === "/api/auth/register").map((call) => call.body);
}

function renderAt(address: string) {
  return renderPage({ "/register": <RegisterPage /> }, address);
}

async function fillIn({ password = "long enough", phone = "" } = {}) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Name"), "Grace");
  await user.type(screen.getByLabelText("Email"), "grace@example.com");
  await user.type(screen.getByLabelText("Password"), password);
  if (phone) await user.type(screen.getByLabelText("Phone (optional)"), phone);
  await user.click(screen.getByRole("button", { name: "Create account" }));
}

describe("RegisterPage", () => {
  it("shows the API's validation errors next to the fields they are about", async () => {
    fakeRegister(() =>
      problem(422, "The request is not valid.", {
        code: "validation_error",
        errors: [
          { field: "email", message: "value is not a valid email address: The domain name example.invalid does not exist." },
          { field: "phone", message: "String should match pattern '^\\+?[0-9 ().\\-]{3,32}$'" },
        ],
      }),
    );
    await renderAt("/register");

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
    fakeRegister(() =>
      problem(422, "The request is not valid.", {
        code: "validation_error",
        errors: [{ field: "password", message: "Value error, The password must be at most 72 bytes in UTF-8." }],
      }),
    );
    await renderAt("/register");

    await fillIn({ password: "ü".repeat(40) });

    expect(await screen.findByText("The password must be at most 72 bytes in UTF-8.")).toBeInTheDocument();
    expect(screen.getByLabelText("Password")).toHaveAttribute("aria-invalid", "true");
  });

  it("checks the password length and the phone number before sending anything", async () => {
    const calls = fakeRegister(() => json(tokenPair(GRACE), 201));
    await renderAt("/register");

    await fillIn({ password: "short", phone: "call me" });

    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription(/at least 8 characters/i);
    expect(screen.getByLabelText("Password")).toHaveFocus();
    expect(screen.getByLabelText("Phone (optional)")).toHaveAccessibleDescription(/Use digits, spaces/);
    expect(registrations(calls)).toEqual([]);
  });

  it("says an email is taken next to the email field, with a way to sign in", async () => {
    fakeRegister(() => problem(409, "An account with this email already exists.", { code: "email_taken" }));
    await renderAt("/register?next=/checkout");

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
    const calls = fakeRegister(() => json(tokenPair(GRACE), 201));
    await renderAt("/register?next=/checkout");

    await fillIn();

    await waitFor(() => expect(addressBar()).toHaveValue("/checkout"));
    expect(screen.getByText(/sent a verification link to grace@example\.com/)).toBeInTheDocument();
    expect(registrations(calls)).toEqual([{ name: "Grace", email: "grace@example.com", password: "long enough", phone: null }]);
    expect(session.get()?.user.email).toBe("grace@example.com");
  });
});
