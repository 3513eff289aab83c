/** Pages as the unit tests see them: inside the app's router and providers, with an address bar
 * to read where the app went, and a signed-in shopper or admin when the test wants one. */

import { act, render, screen, type RenderResult } from "@testing-library/react";
import { StrictMode, type ReactNode } from "react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";
import AdminRoutes from "../admin/AdminRoutes";
import { fromTokenPair, session, type TokenPair, type User } from "../api/session";
import { AuthProvider } from "../auth/AuthContext";
import { CartProvider } from "../cart/CartContext";
import { ADMIN, SHOPPER } from "./builders";

interface Tokens {
  access?: string;
  refresh?: string;
  /** Seconds until the access token expires. */
  expiresIn?: number;
}

/** What the users service answers to a login, a registration or a refresh. */
export function tokenPair(user: User = SHOPPER, { access = "A1", refresh = "R1", expiresIn = 900 }: Tokens = {}): TokenPair {
  return { access_token: access, refresh_token: refresh, expires_in: expiresIn, token_type: "bearer", user };
}

/** Signs `user` in, as a login would have (the test setup signs out after each test). */
export function signIn(user: User = SHOPPER, tokens: Tokens = {}): void {
  session.set(fromTokenPair(tokenPair(user, tokens)));
}

/** The address the app is at, shown the way a browser shows it. */
function AddressBar() {
  const location = useLocation();
  return <input readOnly aria-label="Address bar" value={location.pathname + location.search} />;
}

export function addressBar(): HTMLElement {
  return screen.getByRole("textbox", { name: "Address bar" });
}

/** Every page the test did not render: where a navigation ends, with the notice it carried
 * (the app's Layout shows it). */
function AnotherPage() {
  const { state } = useLocation();
  const notice = (state as { notice?: unknown } | null)?.notice;
  return (
    <>
      <p>Another page</p>
      {typeof notice === "string" && <p>{notice}</p>}
    </>
  );
}

interface RenderOptions {
  /** Render in StrictMode, as the app does, to catch effects that must not run twice. */
  strict?: boolean;
}

/** Renders `routes` (path -> element) at `at` and lets the first requests (the user, the
 * page's data) answer, as a browser would before anyone looks. */
export async function renderPage(
  routes: Record<string, ReactNode>,
  at: string | { pathname: string; search?: string; state?: unknown },
  { strict = false }: RenderOptions = {},
): Promise<RenderResult> {
  const app = (
    <MemoryRouter initialEntries={[at]}>
      <AuthProvider>
        <CartProvider>
          <Routes>
            {Object.entries(routes).map(([path, element]) => (
              <Route key={path} path={path} element={element} />
            ))}
            <Route path="*" element={<AnotherPage />} />
          </Routes>
          <AddressBar />
        </CartProvider>
      </AuthProvider>
    </MemoryRouter>
  );
  let rendered: RenderResult | undefined;
  await act(async () => {
    rendered = render(strict ? <StrictMode>{app}</StrictMode> : app);
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  return rendered as RenderResult;
}

/** The admin area at `address`, with `user` signed in. */
export function renderAdmin(address: string, user: User = ADMIN): Promise<RenderResult> {
  signIn(user);
  return renderPage({ "/admin/*": <AdminRoutes /> }, address);
}
