/** Routes for signed-in shoppers and for admins: others are sent to sign in (and back after). */

import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { useAuth } from "./AuthContext";

export function loginHref(next: string): string {
  return `/login?next=${encodeURIComponent(next)}`;
}

export function RequireAuth({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const location = useLocation();
  if (!user) return <Navigate to={loginHref(location.pathname + location.search)} replace />;
  return <>{children}</>;
}

export function RequireAdmin({ children }: { children: ReactNode }) {
  const { user, isAdmin } = useAuth();
  const location = useLocation();
  if (!user) return <Navigate to={loginHref(location.pathname + location.search)} replace />;
  if (!isAdmin) {
    return (
      <section className="page narrow">
        <h1>Admins only</h1>
        <p>This part of the shop is for its administrators. You are signed in as {user.email}.</p>
      </section>
    );
  }
  return <>{children}</>;
}
