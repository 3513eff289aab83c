/** The link from the verification email (`/verify-email?token=`): spends the token once and
 * says how it went. */

import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError, describeError } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { loginHref } from "../auth/guards";
import { Loading, Notice } from "../components/Status";
import { usePageTitle } from "../hooks/usePageTitle";
import { useResendVerification } from "../hooks/useResendVerification";
import "./auth.css";

type Outcome = { kind: "verified" } | { kind: "invalid" } | { kind: "failed"; error: unknown };

/** One verification per token for the life of the page: a token is single-use, so the second
 * run of an effect (StrictMode, or leaving and coming back) must reuse the first answer rather
 * than spend the token again and report it invalid. */
const verifications = new Map<string, Promise<Outcome>>();

function verify(token: string): Promise<Outcome> {
  let outcome = verifications.get(token);
  if (!outcome) {
    outcome = unwrap(api.users.POST("/api/auth/verify-email", { body: { token } })).then(
      (): Outcome => ({ kind: "verified" }),
      (error: unknown): Outcome => {
        if (error instanceof ApiError && (error.status === 400 || error.status === 422)) return { kind: "invalid" };
        verifications.delete(token); // not spent: the shopper may try again
        return { kind: "failed", error };
      },
    );
    verifications.set(token, outcome);
  }
  return outcome;
}

function ResendLink() {
  const [state, resend] = useResendVerification();
  const { user } = useAuth();

  if (state === "sent") return <Notice kind="success">We sent a new link to {user?.email}. It works for one use.</Notice>;
  return (
    <>
      {typeof state === "object" && <Notice kind="error">{describeError(state.error)}</Notice>}
      <button type="button" className="button" onClick={() => void resend()} disabled={state === "sending"}>
        {state === "sending" ? "Sending…" : "Send a new link"}
      </button>
    </>
  );
}

export function VerifyEmailPage() {
  usePageTitle("Verify email");
  const [params] = useSearchParams();
  const token = params.get("token")?.trim() ?? "";
  const { user, reloadUser } = useAuth();
  const [outcome, setOutcome] = useState<Outcome | null>(token ? null : { kind: "invalid" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!token) {
      setOutcome({ kind: "invalid" });
      return;
    }
    let live = true;
    setOutcome(null);
    void verify(token).then((result) => {
      if (!live) return;
      setOutcome(result);
      if (result.kind === "verified") reloadUser().catch(() => undefined);
    });
    return () => {
      live = false;
    };
  }, [token, attempt, reloadUser]);

  let content;
  if (!outcome) {
    content = <Loading label="Verifying your email…" />;
  } else if (outcome.kind === "verified") {
    content = (
      <>
        <Notice kind="success">Your email is verified. Thank you!</Notice>
        <p>
          <Link to="/products" className="button">
            Continue shopping
          </Link>
        </p>
      </>
    );
  } else if (outcome.kind === "failed") {
    content = (
      <div className="status status-error" role="alert">
        <p className="status-title">Your email could not be verified just now.</p>
        <p>{describeError(outcome.error)}</p>
        <button type="button" className="button" onClick={() => setAttempt((n) => n + 1)}>
          Try again
        </button>
      </div>
    );
  } else if (user?.email_verified) {
    content = (
      <>
        <Notice kind="info">This link has already been used: your email is verified.</Notice>
        <p>
          <Link to="/account">Go to your account</Link>
        </p>
      </>
    );
  } else {
    content = (
      <>
        <Notice kind="error">This link is invalid or has expired.</Notice>
        {user ? (
          <div className="auth-stack">
            <p>Ask for a new verification email: the newest link is the one that works.</p>
            <ResendLink />
          </div>
        ) : (
          <p>
            Need a new link? <Link to={loginHref("/account")}>Sign in to ask for a new verification link</Link>.
          </p>
        )}
      </>
    );
  }

  return (
    <section className="page narrow auth-page">
      <h1>Verify email</h1>
      {content}
    </section>
  );
}
