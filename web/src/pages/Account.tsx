/** The signed-in shopper's account: profile and default shipping address, email
 * verification, and changing the password. */

import { useState, type FormEvent } from "react";
import { api, unwrap } from "../api/client";
import { ApiError, describeError, fieldMessages } from "../api/problem";
import type { User } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { TextAreaField, TextField } from "../components/Field";
import { ErrorState, Loading, Notice } from "../components/Status";
import { formatDate } from "../format/money";
import { useResource } from "../hooks/useResource";
import { usePageTitle } from "../hooks/usePageTitle";
import { useResendVerification } from "../hooks/useResendVerification";
import { friendlyMessage, phoneProblem } from "./Register";
import "./auth.css";

const MIN_PASSWORD = 8;

const PROFILE_FIELDS = [
  "name",
  "phone",
  "first_name",
  "last_name",
  "bio",
  "line1",
  "line2",
  "city",
  "region",
  "postal_code",
  "country",
] as const;
type ProfileField = (typeof PROFILE_FIELDS)[number];
type ProfileValues = Record<ProfileField, string>;
type Errors<K extends string> = Partial<Record<K | "_", string>>;

const ADDRESS_FIELDS = ["line1", "line2", "city", "region", "postal_code", "country"] as const;
const REQUIRED_ADDRESS: { field: ProfileField; message: string }[] = [
  { field: "line1", message: "Enter the street and number." },
  { field: "city", message: "Enter the city." },
  { field: "postal_code", message: "Enter the postal code." },
  { field: "country", message: "Enter the country." },
];

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function valuesOf(user: User): ProfileValues {
  const address = user.profile.address ?? {};
  return {
    name: user.name,
    phone: user.phone ?? "",
    first_name: user.profile.first_name ?? "",
    last_name: user.profile.last_name ?? "",
    bio: user.profile.bio ?? "",
    line1: text(address.line1),
    line2: text(address.line2),
    city: text(address.city),
    region: text(address.region),
    postal_code: text(address.postal_code),
    country: text(address.country),
  };
}

/** Checks made before sending: a name, and a whole address or none at all. */
function checkProfile(values: ProfileValues): Errors<ProfileField> {
  const errors: Errors<ProfileField> = {};
  if (!values.name.trim()) errors.name = "Enter your name.";
  const phone = phoneProblem(values.phone);
  if (phone) errors.phone = phone;
  const anyAddress = ADDRESS_FIELDS.some((field) => values[field].trim());
  if (anyAddress) {
    for (const { field, message } of REQUIRED_ADDRESS) if (!values[field].trim()) errors[field] = message;
    if (values.country.trim() && !/^[A-Za-z]{2}$/.test(values.country.trim())) {
      errors.country = "Use the two-letter country code, e.g. US or DE.";
    }
  }
  return errors;
}

function meUpdate(values: ProfileValues) {
  const optional = (value: string) => value.trim() || null;
  const anyAddress = ADDRESS_FIELDS.some((field) => values[field].trim());
  return {
    name: values.name.trim(),
    phone: optional(values.phone),
    profile: {
      first_name: optional(values.first_name),
      last_name: optional(values.last_name),
      bio: optional(values.bio),
      address: anyAddress
        ? {
            line1: values.line1.trim(),
            line2: optional(values.line2),
            city: values.city.trim(),
            region: optional(values.region),
            postal_code: values.postal_code.trim(),
            country: values.country.trim().toUpperCase(),
          }
        : null,
    },
  };
}

/** The API's field errors (`name`, `profile.bio`, `profile.address.city`) by form field. */
function profileErrors(error: unknown): Errors<ProfileField> {
  const all = { ...fieldMessages(error, "profile.address"), ...fieldMessages(error, "profile"), ...fieldMessages(error) };
  const errors: Errors<ProfileField> = {};
  for (const field of PROFILE_FIELDS) {
    const message = all[field];
    if (message) errors[field] = friendlyMessage(field, message);
  }
  return errors;
}

function focusFirst<K extends string>(prefix: string, fields: readonly K[], errors: Errors<K>): void {
  const first = fields.find((field) => errors[field]);
  if (first) document.getElementById(`${prefix}-${first}`)?.focus();
}

function ProfileForm({ user }: { user: User }) {
  const { setUser } = useAuth();
  const [values, setValues] = useState<ProfileValues>(() => valuesOf(user));
  const [errors, setErrors] = useState<Errors<ProfileField>>({});
  const [outcome, setOutcome] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  function field(name: ProfileField) {
    return {
      id: `profile-${name}`,
      name,
      value: values[name],
      error: errors[name],
      onChange: (event: { target: { value: string } }) => setValues((current) => ({ ...current, [name]: event.target.value })),
    };
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setOutcome(null);
    const local = checkProfile(values);
    setErrors(local);
    if (Object.keys(local).length) {
      setOutcome({ kind: "error", text: "Some fields need attention." });
      focusFirst("profile", PROFILE_FIELDS, local);
      return;
    }
    setBusy(true);
    try {
      const saved = await unwrap(api.users.PATCH("/api/auth/me", { body: meUpdate(values) }));
      setUser(saved);
      setValues(valuesOf(saved));
      setOutcome({ kind: "success", text: "Your profile has been saved." });
    } catch (error) {
      const found = error instanceof ApiError && error.status === 422 ? profileErrors(error) : {};
      setErrors(found);
      const anyField = Object.keys(found).length > 0;
      setOutcome({ kind: "error", text: anyField ? "Some fields need attention." : describeError(error) });
      focusFirst("profile", PROFILE_FIELDS, found);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card account-section" onSubmit={submit} noValidate aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      {outcome && <Notice kind={outcome.kind}>{outcome.text}</Notice>}
      <div className="form-row">
        <TextField label="Display name" autoComplete="name" maxLength={100} required {...field("name")} />
        <TextField label="Phone (optional)" type="tel" autoComplete="tel" {...field("phone")} />
      </div>
      <div className="form-row">
        <TextField label="First name" autoComplete="given-name" maxLength={100} {...field("first_name")} />
        <TextField label="Last name" autoComplete="family-name" maxLength={100} {...field("last_name")} />
      </div>
      <TextAreaField label="About you" maxLength={2000} rows={3} {...field("bio")} />
      <fieldset>
        <legend>Default shipping address</legend>
        <p className="field-hint">Filled in for you at checkout. Leave every line empty to have none.</p>
        <TextField label="Street and number" autoComplete="address-line1" maxLength={200} {...field("line1")} />
        <TextField label="Address line 2 (optional)" autoComplete="address-line2" maxLength={200} {...field("line2")} />
        <div className="form-row">
          <TextField label="City" autoComplete="address-level2" maxLength={100} {...field("city")} />
          <TextField label="Region (optional)" autoComplete="address-level1" maxLength={100} {...field("region")} />
        </div>
        <div className="form-row">
          <TextField label="Postal code" autoComplete="postal-code" maxLength={20} {...field("postal_code")} />
          <TextField
            label="Country"
            autoComplete="country"
            maxLength={2}
            hint="Two-letter code, e.g. US"
            className="country-input"
            {...field("country")}
          />
        </div>
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Saving…" : "Save profile"}
        </button>
      </div>
    </form>
  );
}

function EmailSection({ user }: { user: User }) {
  const [state, resend] = useResendVerification();

  return (
    <section className="card account-section" aria-labelledby="email-heading">
      <h2 id="email-heading">Email address</h2>
      <p className="account-email">
        <span>{user.email}</span>{" "}
        {user.email_verified ? (
          <span className="badge badge-active">Verified</span>
        ) : (
          <span className="badge badge-pending">Not verified</span>
        )}
      </p>
      {!user.email_verified && (
        <>
          {state === "sent" ? (
            <Notice kind="success">We sent a new verification link to {user.email}. Open it to verify your email.</Notice>
          ) : (
            <>
              <p className="muted">Open the link in the email we sent you to verify your address.</p>
              {typeof state === "object" && <Notice kind="error">{describeError(state.error)}</Notice>}
              <button type="button" className="button secondary" onClick={() => void resend()} disabled={state === "sending"}>
                {state === "sending" ? "Sending…" : "Resend verification email"}
              </button>
            </>
          )}
        </>
      )}
      <p className="muted account-since">Customer since {formatDate(user.created_at)}.</p>
    </section>
  );
}

const PASSWORD_FIELDS = ["current", "new", "confirm"] as const;
type PasswordField = (typeof PASSWORD_FIELDS)[number];

function PasswordForm({ email }: { email: string }) {
  const [values, setValues] = useState<Record<PasswordField, string>>({ current: "", new: "", confirm: "" });
  const [errors, setErrors] = useState<Errors<PasswordField>>({});
  const [outcome, setOutcome] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  function field(name: PasswordField) {
    return {
      id: `password-${name}`,
      type: "password",
      value: values[name],
      error: errors[name],
      onChange: (event: { target: { value: string } }) => setValues((current) => ({ ...current, [name]: event.target.value })),
    };
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setOutcome(null);
    const local: Errors<PasswordField> = {};
    if (!values.current) local.current = "Enter your current password.";
    if (values.new.length < MIN_PASSWORD) local.new = `Use at least ${MIN_PASSWORD} characters.`;
    if (values.confirm !== values.new) local.confirm = "The two passwords do not match.";
    setErrors(local);
    if (Object.keys(local).length) return focusFirst("password", PASSWORD_FIELDS, local);
    setBusy(true);
    try {
      await unwrap(
        api.users.POST("/api/auth/change-password", {
          body: { current_password: values.current, new_password: values.new },
        }),
      );
      setValues({ current: "", new: "", confirm: "" });
      setOutcome({
        kind: "success",
        text: "Your password has been changed. Your other sessions were signed out; this one stays signed in.",
      });
    } catch (error) {
      const messages = fieldMessages(error);
      const found: Errors<PasswordField> = {};
      if (messages.current_password) found.current = messages.current_password;
      if (messages.new_password) found.new = messages.new_password;
      setErrors(found);
      if (Object.keys(found).length) focusFirst("password", PASSWORD_FIELDS, found);
      else setOutcome({ kind: "error", text: describeError(error) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card account-section" onSubmit={submit} noValidate aria-labelledby="password-heading">
      <h2 id="password-heading">Change password</h2>
      {outcome && <Notice kind={outcome.kind}>{outcome.text}</Notice>}
      {/* For password managers: which account these passwords belong to. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <TextField label="Current password" autoComplete="current-password" {...field("current")} />
      <TextField
        label="New password"
        autoComplete="new-password"
        hint={`At least ${MIN_PASSWORD} characters.`}
        {...field("new")}
      />
      <TextField label="Confirm new password" autoComplete="new-password" {...field("confirm")} />
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Changing…" : "Change password"}
        </button>
      </div>
    </form>
  );
}

export function AccountPage() {
  usePageTitle("Account");
  const { user: signedIn, setUser } = useAuth();
  const me = useResource(async (signal) => {
    const fresh = await unwrap(api.users.GET("/api/auth/me", { signal }));
    setUser(fresh);
    return fresh;
  }, []);

  // The verification state follows the session (it changes when a link is opened in another tab).
  const user = me.data && signedIn?.id === me.data.id ? { ...me.data, email_verified: signedIn.email_verified } : me.data;
  return (
    <section className="page account-page">
      <h1>Account</h1>
      {me.status === "error" && !user && (
        <ErrorState error={me.error} onRetry={me.reload} title="Your account could not be loaded." />
      )}
      {!user && me.status === "loading" && <Loading label="Loading your account…" />}
      {user && (
        <div className="account-layout">
          <ProfileForm key={user.id} user={user} />
          <div className="account-side">
            <EmailSection user={user} />
            <PasswordForm email={user.email} />
          </div>
        </div>
      )}
    </section>
  );
}
