import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { session } from "../api/session";
import { user } from "../test/builders";
import { empty, fakeApi, json, problem } from "../test/fakeApi";
import { renderPage, signIn } from "../test/render";
import { AccountPage } from "./Account";

const GRACE = user({
  email: "grace@example.com",
  name: "Grace",
  email_verified: false,
  profile: { first_name: "Grace", last_name: "Hopper", bio: null, avatar_url: null, address: null },
});

function renderAccount() {
  signIn(GRACE);
  return renderPage({ "/account": <AccountPage /> }, "/account");
}

describe("AccountPage", () => {
  it("saves the profile and default address, and shows the API's field errors next to the fields", async () => {
    let attempt = 0;
    const calls = fakeApi({
      "PATCH /api/auth/me": (call) => {
        if (++attempt === 1) {
          return problem(422, "The request is not valid.", {
            code: "validation_error",
            errors: [{ field: "profile.address.postal_code", message: "String should have at most 20 characters" }],
          });
        }
        const update = call.body as { name: string; profile: { address: Record<string, string> } };
        return json({ ...GRACE, name: update.name, profile: { ...GRACE.profile, address: update.profile.address } });
      },
    });
    const user = userEvent.setup();
    await renderAccount();

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
    const patches = calls.filter((call) => call.method === "PATCH");
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
    const calls = fakeApi();
    const user = userEvent.setup();
    await renderAccount();

    const profile = await screen.findByRole("form", { name: "Profile" });
    await user.type(within(profile).getByLabelText("City"), "Arlington");
    await user.click(within(profile).getByRole("button", { name: "Save profile" }));

    expect(within(profile).getByLabelText("Street and number")).toHaveAccessibleDescription("Enter the street and number.");
    expect(calls.filter((call) => call.method === "PATCH")).toEqual([]);
  });

  it("changes the password, and says so next to the field when the current one is wrong", async () => {
    let attempt = 0;
    fakeApi({
      "POST /api/auth/change-password": () =>
        ++attempt === 1
          ? problem(422, "The current password is incorrect.", {
              code: "wrong_password",
              errors: [{ field: "current_password", message: "The current password is incorrect." }],
            })
          : empty(204),
    });
    const user = userEvent.setup();
    await renderAccount();

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
    const calls = fakeApi({ "POST /api/auth/verify-email/resend": () => empty(202) });
    await renderAccount();

    expect(await screen.findByText("Not verified")).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole("button", { name: "Resend verification email" }));

    expect(await screen.findByText(/We sent a new verification link to grace@example\.com/)).toBeInTheDocument();
    expect(calls.some((call) => call.path === "/api/auth/verify-email/resend")).toBe(true);
  });

  it("says so when the account cannot be loaded, with a retry", async () => {
    fakeApi({ "GET /api/auth/me": () => problem(503, "Down.") });
    await renderAccount();

    expect(await screen.findByRole("alert")).toHaveTextContent("Your account could not be loaded.");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
