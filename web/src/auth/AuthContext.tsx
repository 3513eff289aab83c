/** Who is signed in, for every component: register, login, logout and the user's profile,
 * backed by the session store (tokens in localStorage, refreshed transparently). */

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, unwrap } from "../api/client";
import { fromTokenPair, session, type SessionEnd, type User } from "../api/session";

export interface RegisterInput {
  email: string;
  password: string;
  name: string;
  phone?: string | null;
}

interface AuthState {
  user: User | null;
  isAdmin: boolean;
  /** Why the last session ended, when it ended on its own (for a notice on the login page). */
  ended: SessionEnd | null;
  login(email: string, password: string): Promise<User>;
  register(input: RegisterInput): Promise<User>;
  logout(): Promise<void>;
  /** Reads the user again (after a profile change or an email verification). */
  reloadUser(): Promise<User | null>;
  setUser(user: User): void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUserState] = useState<User | null>(() => session.get()?.user ?? null);
  const [ended, setEnded] = useState<SessionEnd | null>(null);

  useEffect(
    () =>
      session.subscribe((current, reason) => {
        setUserState(current?.user ?? null);
        if (reason) setEnded(reason);
        else if (current) setEnded(null);
      }),
    [],
  );

  const login = useCallback(async (email: string, password: string) => {
    const pair = await unwrap(api.users.POST("/api/auth/login", { body: { email, password } }));
    session.set(fromTokenPair(pair));
    return pair.user;
  }, []);

  const register = useCallback(async (input: RegisterInput) => {
    const body = { email: input.email, password: input.password, name: input.name, phone: input.phone || null };
    const pair = await unwrap(api.users.POST("/api/auth/register", { body }));
    session.set(fromTokenPair(pair));
    return pair.user;
  }, []);

  const logout = useCallback(async () => {
    const current = session.get();
    if (current) {
      // Revoke the tokens on the server; a server that cannot be reached does not keep
      // anyone signed in here, so wait for it a little only.
      const revoke = api.users
        .POST("/api/auth/logout", { body: { refresh_token: current.refreshToken } })
        .catch(() => undefined);
      await Promise.race([revoke, new Promise((resolve) => setTimeout(resolve, 3000))]);
    }
    session.clear("logout");
  }, []);

  const reloadUser = useCallback(async () => {
    if (!session.get()) return null;
    const fresh = await unwrap(api.users.GET("/api/auth/me"));
    session.updateUser(fresh);
    return fresh;
  }, []);

  const setUser = useCallback((next: User) => session.updateUser(next), []);

  // The stored user may be stale (role or verification changed elsewhere): read it once.
  useEffect(() => {
    reloadUser().catch(() => undefined);
  }, [reloadUser]);

  const value = useMemo<AuthState>(
    () => ({ user, isAdmin: user?.role === "admin", ended, login, register, logout, reloadUser, setUser }),
    [user, ended, login, register, logout, reloadUser, setUser],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error("useAuth needs an <AuthProvider> above it");
  return state;
}
