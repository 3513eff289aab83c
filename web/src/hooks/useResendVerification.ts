/** Sends the email-verification link again (the account page and an expired link both offer it),
 * and says where that stands. */

import { useState } from "react";
import { api, unwrap } from "../api/client";

export type ResendState = "idle" | "sending" | "sent" | { error: unknown };

export function useResendVerification(): [ResendState, () => Promise<void>] {
  const [state, setState] = useState<ResendState>("idle");

  async function resend() {
    setState("sending");
    try {
      await unwrap(api.users.POST("/api/auth/verify-email/resend"));
      setState("sent");
    } catch (error) {
      setState({ error });
    }
  }

  return [state, resend];
}
