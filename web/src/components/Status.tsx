/** The three states every page has besides its content: loading, empty and failed. */

import type { ReactNode } from "react";
import { describeError } from "../api/problem";

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="status status-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="status status-empty">
      <p className="status-title">{title}</p>
      {children}
    </div>
  );
}

export function ErrorState({ error, onRetry, title = "This could not be loaded." }: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <div className="status status-error" role="alert">
      <p className="status-title">{title}</p>
      <p>{describeError(error)}</p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** An inline message after a form was sent: an error (role alert) or a confirmation. */
export function Notice({ kind, children }: { kind: "error" | "success" | "info"; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}
