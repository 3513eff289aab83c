/** Create an account: signed in at once, then on to `?next=` with a word about the
 * verification email. */

import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { ApiError, describeError, fieldMessages } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { TextField } from "../components/Field";
import { Notice } from "../components/Status";
import { usePageTitle } from "../hooks/usePageTitle";
import { safeNext } from "./Login";
import "./auth.css";

type FieldName = "name" | "email" | "password" | "phone";
const FIELDS: FieldName[] = ["name", "email", "password", "phone"];
const MIN_PASSWORD = 8;

/** What a page shows on arrival after registering (passed as router state). */
export interface ArrivalNotice {
  notice: string;
}

/** The phone numbers the users service accepts (its `Phone` schema). */
const PHONE = /^\+?[0-9 ().-]{3,32}$/;
const PHONE_MESSAGE = "Use digits, spaces and + ( ) . - only, e.g. +1 555 0100.";

/** Why a phone number would be refused, or undefined (an empty one is fine: it is optional). */
export function phoneProblem(phone: string): string | undefined {
  const value = phone.trim();
  return value && !PHONE.test(value) ? PHONE_MESSAGE : undefined;
}

/** The API's message for a field, in words for a shopper where pydantic's are for developers. */
export function friendlyMessage(field: string, message: string): string {
  if (field.endsWith("phone") && message.startsWith("String should match pattern")) return PHONE_MESSAGE;
  return message;
}

function checkLocally(values: Record<FieldName, string>): Partial<Record<FieldName, string>> {
  const errors: Partial<Record<FieldName, string>> = {};
  if (!values.name.trim()) errors.name = "Enter your name.";
  if (!values.email.trim()) errors.email = "Enter your email address.";
  if (values.password.length < MIN_PASSWORD) errors.password = `Use at least ${MIN_PASSWORD} characters.`;
  const phone = phoneProblem(values.phone);
  if (phone) errors.phone = phone;
  return errors;
}

export function RegisterPage() {
  usePageTitle("Register");
  const { user, register } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get("next"));
  const [values, setValues] = useState<Record<FieldName, string>>({ name: "", email: "", password: "", phone: "" });
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [emailTaken, setEmailTaken] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (user && !busy) return <Navigate to={next} replace />;

  const loginHref = next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;

  function change(field: FieldName, value: string) {
    setValues((current) => ({ ...current, [field]: value }));
  }

  function show(found: Partial<Record<FieldName, string>>) {
    setErrors(found);
    const first = FIELDS.find((field) => found[field]);
    if (first) document.getElementById(`register-${first}`)?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setEmailTaken(false);
    const local = checkLocally(values);
    if (Object.keys(local).length) return show(local);
    setErrors({});
    setBusy(true);
    try {
      const created = await register({
        name: values.name.trim(),
        email: values.email.trim(),
        password: values.password,
        phone: values.phone.trim() || null,
      });
      const state: ArrivalNotice = {
        notice:
          `Welcome, ${created.name}! We sent a verification link to ${created.email}: ` +
          "check your inbox to verify your email.",
      };
      navigate(next, { replace: true, state });
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.status === 409) {
        setEmailTaken(true);
        show({ email: "An account with this email already exists." });
      } else if (error instanceof ApiError && error.status === 422 && error.fieldErrors.length) {
        const messages = fieldMessages(error);
        const known = Object.fromEntries(
          FIELDS.filter((field) => messages[field]).map((field) => [field, friendlyMessage(field, messages[field] ?? "")]),
        );
        show(known);
        if (!Object.keys(known).length) setFailure(error.userMessage);
      } else {
        setFailure(describeError(error));
      }
    }
  }

  const fieldError = Object.values(errors).some(Boolean);
  return (
    <section className="page narrow auth-page">
      <h1>Register</h1>
      {failure && <Notice kind="error">{failure}</Notice>}
      {fieldError && !failure && <Notice kind="error">Some fields need attention.</Notice>}
      <form className="card auth-card" onSubmit={submit} noValidate>
        <TextField
          id="register-name"
          label="Name"
          name="name"
          autoComplete="name"
          value={values.name}
          onChange={(event) => change("name", event.target.value)}
          error={errors.name}
          maxLength={100}
          required
        />
        <TextField
          id="register-email"
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          value={values.email}
          onChange={(event) => change("email", event.target.value)}
          error={errors.email}
          hint={emailTaken ? <Link to={loginHref}>Sign in with this email instead</Link> : undefined}
          required
        />
        <TextField
          id="register-password"
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          value={values.password}
          onChange={(event) => change("password", event.target.value)}
          error={errors.password}
          hint={`At least ${MIN_PASSWORD} characters.`}
          required
        />
        <TextField
          id="register-phone"
          label="Phone (optional)"
          type="tel"
          name="phone"
          autoComplete="tel"
          value={values.phone}
          onChange={(event) => change("phone", event.target.value)}
          error={errors.phone}
        />
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Creating your account…" : "Create account"}
          </button>
        </div>
      </form>
      <p className="auth-alternative">
        Already have an account? <Link to={loginHref}>Sign in to your account</Link>
      </p>
    </section>
  );
}
