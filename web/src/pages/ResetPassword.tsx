/** Choose a new password with the single-use link from the reset email
 * (`/reset-password?token=`). */

import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError, describeError, fieldMessages } from "../api/problem";
import { TextField } from "../components/Field";
import { Notice } from "../components/Status";
import { usePageTitle } from "../hooks/usePageTitle";
import "./auth.css";

const MIN_PASSWORD = 8;

function InvalidLink() {
  return (
    <div className="card auth-card">
      <Notice kind="error">This link is invalid or has expired.</Notice>
      <p>Reset links work once, for one hour.</p>
      <p>
        <Link to="/forgot-password" className="button">
          Ask for a new link
        </Link>
      </p>
    </div>
  );
}

export function ResetPasswordPage() {
  usePageTitle("Reset password");
  const [params] = useSearchParams();
  const token = params.get("token")?.trim() ?? "";
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<{ password?: string; confirm?: string }>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [state, setState] = useState<"form" | "done" | "invalid">("form");
  const [busy, setBusy] = useState(false);

  function show(found: { password?: string; confirm?: string }) {
    setErrors(found);
    const first = found.password ? "reset-password" : found.confirm ? "reset-confirm" : null;
    if (first) document.getElementById(first)?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    const local = {
      ...(password.length < MIN_PASSWORD ? { password: `Use at least ${MIN_PASSWORD} characters.` } : {}),
      ...(confirm !== password ? { confirm: "The two passwords do not match." } : {}),
    };
    show(local);
    if (local.password || local.confirm) return;
    setBusy(true);
    try {
      await unwrap(api.users.POST("/api/auth/password-reset/confirm", { body: { token, new_password: password } }));
      setState("done");
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        setState("invalid");
      } else if (error instanceof ApiError && error.status === 422 && fieldMessages(error).new_password) {
        show({ password: fieldMessages(error).new_password });
      } else {
        setFailure(describeError(error));
      }
    } finally {
      setBusy(false);
    }
  }

  let content;
  if (!token || state === "invalid") {
    content = <InvalidLink />;
  } else if (state === "done") {
    content = (
      <div className="card auth-card">
        <Notice kind="success">Your password has been changed.</Notice>
        <p>
          <Link to="/login" className="button">
            Sign in with your new password
          </Link>
        </p>
      </div>
    );
  } else {
    content = (
      <>
        {failure && <Notice kind="error">{failure}</Notice>}
        <form className="card auth-card" onSubmit={submit} noValidate>
          <TextField
            id="reset-password"
            label="New password"
            type="password"
            name="new-password"
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            error={errors.password}
            hint={`At least ${MIN_PASSWORD} characters.`}
            required
          />
          <TextField
            id="reset-confirm"
            label="Confirm new password"
            type="password"
            name="confirm-password"
            autoComplete="new-password"
            value={confirm}
            onChange={(event) => setConfirm(event.target.value)}
            error={errors.confirm}
            required
          />
          <div className="form-actions">
            <button type="submit" className="button" disabled={busy}>
              {busy ? "Saving…" : "Set new password"}
            </button>
          </div>
        </form>
      </>
    );
  }

  return (
    <section className="page narrow auth-page">
      <h1>Reset password</h1>
      {content}
    </section>
  );
}
