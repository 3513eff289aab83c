/** Sign in, then go back where the shopper was (`?next=`, a path of this site only). */

import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { ApiError, describeError } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { TextField } from "../components/Field";
import { Notice } from "../components/Status";
import { usePageTitle } from "../hooks/usePageTitle";
import "./auth.css";

/** `next` when it is a path of this site, else "/". "//host", "/\host" and control characters
 * are refused: browsers read those as another site, which would make sign-in an open redirect. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//")) return "/";
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return "/";
  try {
    const base = "http://mercato.invalid";
    return new URL(next, base).origin === base ? next : "/";
  } catch {
    return "/";
  }
}

/** "14 minutes" or "40 seconds", for a Retry-After in seconds. */
export function waitText(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

function signInError(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) return "Email or password is incorrect.";
  if (error instanceof ApiError && error.status === 429) {
    const wait = error.retryAfter;
    return wait
      ? `Too many failed sign-in attempts. Try again in ${waitText(wait)}.`
      : "Too many failed sign-in attempts. Wait a few minutes and try again.";
  }
  return describeError(error);
}

export function LoginPage() {
  usePageTitle("Sign in");
  const { user, login, ended } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [missing, setMissing] = useState<{ email?: string; password?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (user && !busy) return <Navigate to={next} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const empty = {
      ...(email.trim() ? {} : { email: "Enter your email address." }),
      ...(password ? {} : { password: "Enter your password." }),
    };
    setMissing(empty);
    setError(null);
    if (empty.email || empty.password) {
      document.getElementById(empty.email ? "login-email" : "login-password")?.focus();
      return;
    }
    setBusy(true);
    try {
      await login(email.trim(), password);
      navigate(next, { replace: true });
    } catch (failure) {
      setError(signInError(failure));
      setBusy(false);
    }
  }

  const registerHref = next === "/" ? "/register" : `/register?next=${encodeURIComponent(next)}`;
  return (
    <section className="page narrow auth-page">
      <h1>Sign in</h1>
      {ended === "expired" && <Notice kind="info">Your session has expired. Please sign in again.</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      <form className="card auth-card" onSubmit={submit} noValidate>
        <TextField
          id="login-email"
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={missing.email}
          required
        />
        <TextField
          id="login-password"
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={missing.password}
          required
        />
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
          <Link to="/forgot-password">Forgot your password?</Link>
        </div>
      </form>
      <p className="auth-alternative">
        New to Mercato? <Link to={registerHref}>Create an account</Link>
      </p>
    </section>
  );
}
