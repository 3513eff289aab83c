/** The signed-in session: tokens kept in localStorage so a reload stays signed in, the access
 * token refreshed with the refresh token (once, even when many requests or tabs need it), and
 * everyone told when the session ends. */

import type { components } from "./schema/users";

export type User = components["schemas"]["UserOut"];
export type TokenPair = components["schemas"]["TokenPairOut"];

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds after which the access token is refreshed before use. */
  expiresAt: number;
  user: User;
}

export type SessionEnd = "logout" | "expired";
type Listener = (session: StoredSession | null, reason?: SessionEnd) => void;

export const SESSION_KEY = "mercato.session";
/** Refresh this long before the access token's expiry, so it never expires in flight. */
const EARLY_MS = 30_000;

function read(): StoredSession | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof parsed.accessToken !== "string" || typeof parsed.refreshToken !== "string") return null;
    if (!parsed.user || typeof parsed.expiresAt !== "number") return null;
    return parsed as StoredSession;
  } catch {
    return null;
  }
}

export function fromTokenPair(pair: TokenPair, now = Date.now()): StoredSession {
  return {
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    expiresAt: now + pair.expires_in * 1000 - EARLY_MS,
    user: pair.user,
  };
}

/** Sends the refresh token and answers the new pair, or null when the service refused it. */
export type Refresher = (refreshToken: string) => Promise<TokenPair | null>;

class SessionStore {
  private current: StoredSession | null = read();
  private listeners = new Set<Listener>();
  private refreshing: Promise<string | null> | null = null;
  private refresher: Refresher | null = null;

  constructor() {
    if (typeof window !== "undefined") {
      // Another tab signed in, refreshed or signed out: follow it.
      window.addEventListener("storage", (event) => {
        if (event.key !== SESSION_KEY && event.key !== null) return;
        const next = read();
        const ended = this.current !== null && next === null;
        this.current = next;
        this.emit(ended ? "logout" : undefined);
      });
    }
  }

  useRefresher(refresher: Refresher): void {
    this.refresher = refresher;
  }

  get(): StoredSession | null {
    return this.current;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(session: StoredSession): void {
    this.current = session;
    localStorage.setItem(SESSION_KEY, JSON.stringify(session));
    this.emit();
  }

  updateUser(user: User): void {
    if (this.current) this.set({ ...this.current, user });
  }

  clear(reason: SessionEnd): void {
    const had = this.current !== null;
    this.current = null;
    localStorage.removeItem(SESSION_KEY);
    if (had) this.emit(reason);
  }

  /** The access token to send now: refreshed first when it is about to expire. */
  async accessToken(): Promise<string | null> {
    const session = this.current;
    if (!session) return null;
    if (Date.now() < session.expiresAt) return session.accessToken;
    return this.refresh(session.accessToken);
  }

  /** A new access token after `rejected` was refused, or null when the session is over (it
   * is then cleared, which signs this tab and every other one out). Concurrent callers share
   * one refresh; other tabs are serialised with a Web Lock, because presenting a refresh token
   * that another tab already spent revokes the whole session. */
  refresh(rejected: string): Promise<string | null> {
    this.refreshing ??= this.lockAndRefresh(rejected).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async lockAndRefresh(rejected: string): Promise<string | null> {
    const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
    if (locks?.request) return locks.request("mercato-refresh", () => this.doRefresh(rejected));
    return this.doRefresh(rejected);
  }

  private async doRefresh(rejected: string): Promise<string | null> {
    const latest = read() ?? this.current;
    if (!latest) {
      this.clear("expired");
      return null;
    }
    this.current = latest;
    if (latest.accessToken !== rejected && Date.now() < latest.expiresAt) {
      // Another tab (or request) refreshed while this one waited.
      return latest.accessToken;
    }
    const pair = this.refresher ? await this.refresher(latest.refreshToken) : null;
    if (this.current?.refreshToken !== latest.refreshToken) {
      // Signed out (or in again) while the refresh was on its way: that decision stands, and
      // the pair it brought must not sign the old session back in.
      return this.current?.accessToken ?? null;
    }
    if (!pair) {
      this.clear("expired");
      return null;
    }
    this.set(fromTokenPair(pair));
    return pair.access_token;
  }

  private emit(reason?: SessionEnd): void {
    for (const listener of this.listeners) listener(this.current, reason);
  }
}

export const session = new SessionStore();
