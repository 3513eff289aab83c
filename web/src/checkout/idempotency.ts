/** Idempotency keys for the requests that charge a card: one key per attempt, kept for a
 * resend of the same request whose outcome is unknown (the network failed, the service was
 * busy), so pressing the button again can never charge twice. */

import { useCallback, useRef } from "react";
import { ApiError } from "../api/problem";

function randomUuid(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // randomUUID exists only in secure contexts; a shop served over plain http on a LAN address
  // still needs a key, so build a version 4 UUID from random bytes.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether a failed request may still have been carried out, so that repeating it must reuse
 * its key: no answer at all, a server-side failure, a rate limit, or the same key still in
 * flight. */
export function outcomeUnknown(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === 0 || error.status >= 500 || error.status === 429 || error.code === "idempotency_in_flight";
}

export interface IdempotencyKeys {
  /** The key for a request whose body reads `fingerprint`: the previous attempt's key when it
   * was the same request and its outcome is unknown, a new key otherwise. */
  keyFor(fingerprint: string): string;
  /** The request got a definite answer: the next attempt is a new one. */
  settle(): void;
}

export function useIdempotencyKeys(): IdempotencyKeys {
  const attempt = useRef<{ fingerprint: string; key: string } | null>(null);
  const keyFor = useCallback((fingerprint: string) => {
    if (attempt.current?.fingerprint !== fingerprint) attempt.current = { fingerprint, key: randomUuid() };
    return attempt.current.key;
  }, []);
  const settle = useCallback(() => {
    attempt.current = null;
  }, []);
  return { keyFor, settle };
}
