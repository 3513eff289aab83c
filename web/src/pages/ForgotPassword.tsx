/** Ask for a password-reset link. The answer is the same whether or not the email has an
 * account, so the page cannot be used to find out who shops here. */

import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError, describeError, fieldMessages } from "../api/problem";
import { TextField } from "../components/Field";
import { Notice } from "../components/Status";
import { usePageTitle } from "../hooks/usePageTitle";
import "./auth.css";

export const RESET_SENT = "If an account exists for that email, we sent a link to reset its password.";

export function ForgotPasswordPage() {
  usePageTitle("Forgot password");
  const [email, setEmail] = useState("");
  const [emailError, setEmailError] = useState<string | undefined>();
  const [failure, setFailure] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    const address = email.trim();
    if (!address) {
      setEmailError("Enter your email address.");
      document.getElementById("forgot-email")?.focus();
      return;
    }
    setEmailError(undefined);
    setBusy(true);
    try {
      await unwrap(api.users.POST("/api/auth/password-reset", { body: { email: address } }));
      setSentTo(address);
    } catch (error) {
      const messages = fieldMessages(error);
      if (error instanceof ApiError && error.status === 422 && messages.email) {
        setEmailError(messages.email);
        document.getElementById("forgot-email")?.focus();
      } else {
        setFailure(describeError(error));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="page narrow auth-page">
      <h1>Forgot password</h1>
      {sentTo ? (
        <div className="card auth-card">
          <Notice kind="success">{RESET_SENT}</Notice>
          <p>
            The link works for one hour. Nothing arrived? Check your spam folder, or{" "}
            <button type="button" className="link-button" onClick={() => setSentTo(null)}>
              try another email
            </button>
            .
          </p>
          <p>
            <Link to="/login">Back to sign in</Link>
          </p>
        </div>
      ) : (
        <>
          <p className="muted">Enter the email of your account and we will send you a link to choose a new password.</p>
          {failure && <Notice kind="error">{failure}</Notice>}
          <form className="card auth-card" onSubmit={submit} noValidate>
            <TextField
              id="forgot-email"
              label="Email"
              type="email"
              name="email"
              autoComplete="email"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              error={emailError}
              required
            />
            <div className="form-actions">
              <button type="submit" className="button" disabled={busy}>
                {busy ? "Sending…" : "Send reset link"}
              </button>
              <Link to="/login">Back to sign in</Link>
            </div>
          </form>
        </>
      )}
    </section>
  );
}
