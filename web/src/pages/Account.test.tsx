import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { fromTokenPair, session, type User } from "../api/session";
import { AuthProvider } from "../auth/AuthContext";
import { CartProvider } from "../cart/CartContext";
import { AccountPage } from "./Account";

const USER: User = {
  id: "u1",
  email: "grace@example.com",
  name: "Grace",
  phone: null,
  role: "customer",
  status: "active",
  email_verified: false,
  created_at: "2026-01-01T00:00:00Z",
  profile: { first_name: "Grace", last_name: "Hopper", bio: null, avatar_url: null, address: null },
};

function json(body: unknown, status = 200): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

type Handler = (request: Request, body: unknown) => Response | undefined;

/** The users service: GET /me answers USER; `handle` answers the rest. Bodies are kept. */
function stubUsers(handle: Handler = () => undefined) {
  const sent: { path: string; method: string; body: unknown }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      const text = request.body ? await request.text() : "";
      const body: unknown = text ? JSON.parse(text) : undefined;
      sent.push({ path, method: request.method, body });
      const answer = handle(request, body);
      if (answer) return answer;
      if (path === "/api/auth/me" && request.method === "GET") return json(USER);
      return json({ title: "Not Found", status: 404 }, 404);
    }),
  );
  return sent;
}

function renderAccount() {
  session.set(fromTokenPair({ access_token: "A1", refresh_token: "R1", expires_in: 900, token_type: "bearer", user: USER }));
  return render(
    <MemoryRouter initialEntries={["/account"]}>
      <AuthProvider>
        <CartProvider>
          <AccountPage />
        </CartProvider>
      </AuthProvider>
    </MemoryRouter>,
  );
}

beforeEach(() => session.clear("logout"));

describe("AccountPage", () => {
  it("saves the profile and default address, and shows the API's field errors next to the fields", async () => {
    let attempt = 0;
    const sent = stubUsers((request, body) => {
      if (request.method !== "PATCH") return undefined;
      if (++attempt === 1) {
        return json(
          {
            status: 422,
            detail: "The request is not valid.",
            errors: [{ field: "profile.address.postal_code", message: "String should have at most 20 characters" }],
          },
          422,
        );
      }
      const update = body as { name: string; profile: { address: Record<string, string> } };
      return json({ ...USER, name: update.name, profile: { ...USER.profile, address: update.profile.address } });
    });
    const user = userEvent.setup();
    renderAccount();

    const profile = await screen.findByRole("form", { name: "Profile" });
    await user.clear(within(profile).getByLabelText("Display name"));
    await user.type(within(profile).getByLabelText("Display name"), "Grace H.");
    await user.type(within(profile).getByLabelText("Street and number"), "1 Navy Way");
    await user.type(within(profile).getByLabelText("City"), "Arlington");
    await user.type(within(profile).getByLabelText("Postal code"), "22202-0000-0000-0000-0000");
    await user.type(within(profile).getByLabelText("Country"), "us");
    await user.click(within(profile).getByRole("button", { name: "Save profile" }));

    const postalCode = within(profile).getByLabelText("Postal code");
    expect(await within(profile).findByRole("alert")).toHaveTextContent("Some fields need attention");
    expect(postalCode).toHaveAccessibleDescription("String should have at most 20 characters");
    expect(postalCode).toHaveFocus();

    await user.clear(postalCode);
    await user.type(postalCode, "22202");
    await user.click(within(profile).getByRole("button", { name: "Save profile" }));

    expect(await within(profile).findByRole("status")).toHaveTextContent("Your profile has been saved.");
    const patches = sent.filter((request) => request.method === "PATCH");
    expect(patches[1]?.body).toEqual({
      name: "Grace H.",
      phone: null,
      profile: {
        first_name: "Grace",
        last_name: "Hopper",
        bio: null,
        address: { line1: "1 Navy Way", line2: null, city: "Arlington", region: null, postal_code: "22202", country: "US" },
      },
    });
    expect(session.get()?.user.name).toBe("Grace H.");
  });

  it("asks for the rest of an address that is only partly filled in, before sending", async () => {
    const sent = stubUsers();
    const user = userEvent.setup();
    renderAccount();

    const profile = await screen.findByRole("form", { name: "Profile" });
    await user.type(within(profile).getByLabelText("City"), "Arlington");
    await user.click(within(profile).getByRole("button", { name: "Save profile" }));

    expect(within(profile).getByLabelText("Street and number")).toHaveAccessibleDescription("Enter the street and number.");
    expect(sent.filter((request) => request.method === "PATCH")).toEqual([]);
  });

  it("changes the password, and says so next to the field when the current one is wrong", async () => {
    let attempt = 0;
    stubUsers((request) => {
      if (new URL(request.url).pathname !== "/api/auth/change-password") return undefined;
      if (++attempt === 1) {
        return json(
          {
            status: 422,
            detail: "The current password is incorrect.",
            code: "wrong_password",
            errors: [{ field: "current_password", message: "The current password is incorrect." }],
          },
          422,
        );
      }
      return new Response(null, { status: 204 });
    });
    const user = userEvent.setup();
    renderAccount();

    const form = await screen.findByRole("form", { name: "Change password" });
    await user.type(within(form).getByLabelText("Current password"), "not-it");
    await user.type(within(form).getByLabelText("New password"), "brand new secret");
    await user.type(within(form).getByLabelText("Confirm new password"), "brand new secret");
    await user.click(within(form).getByRole("button", { name: "Change password" }));

    const current = within(form).getByLabelText("Current password");
    await vi.waitFor(() => expect(current).toHaveAccessibleDescription("The current password is incorrect."));

    await user.clear(current);
    await user.type(current, "the right one");
    await user.click(within(form).getByRole("button", { name: "Change password" }));

    expect(await within(form).findByRole("status")).toHaveTextContent(/password has been changed.*other sessions were signed out/i);
    expect(within(form).getByLabelText("New password")).toHaveValue("");
  });

  it("lets an unverified shopper ask for the verification email again", async () => {
    const sent = stubUsers((request) =>
      new URL(request.url).pathname === "/api/auth/verify-email/resend" ? new Response(null, { status: 202 }) : undefined,
    );
    renderAccount();

    expect(await screen.findByText("Not verified")).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "Resend verification email" }));

    expect(await screen.findByText(/We sent a new verification link to grace@example\.com/)).toBeInTheDocument();
    expect(sent.some((request) => request.path === "/api/auth/verify-email/resend")).toBe(true);
  });

  it("says so when the account cannot be loaded, with a retry", async () => {
    stubUsers((request) =>
      request.method === "GET" ? json({ title: "Service Unavailable", status: 503, detail: "Down." }, 503) : undefined,
    );
    renderAccount();

    expect(await screen.findByRole("alert")).toHaveTextContent("Your account could not be loaded.");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
