/** The frame of every page: header with navigation, cart and account, the page, a footer.
 * Moves focus to the page on navigation, so keyboard and screen reader users land on it. */

import { useEffect, useRef, useState } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigate } from "react-router-dom";
import { useAuth } from "../auth/AuthContext";
import { loginHref } from "../auth/guards";
import { useCart } from "../cart/CartContext";
import { ErrorBoundary } from "./ErrorBoundary";
import { Notice } from "./Status";

/** A message a page hands to the next one with `navigate(to, { state: { notice } })`. */
function arrivalNotice(state: unknown): string | null {
  if (!state || typeof state !== "object") return null;
  const notice = (state as { notice?: unknown }).notice;
  return typeof notice === "string" && notice ? notice : null;
}

function SearchBox() {
  const navigate = useNavigate();
  const [query, setQuery] = useState("");
  return (
    <form
      className="header-search"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        const q = query.trim();
        navigate(q ? `/products?q=${encodeURIComponent(q)}` : "/products");
      }}
    >
      <label htmlFor="site-search" className="visually-hidden">
        Search products
      </label>
      <input
        id="site-search"
        type="search"
        placeholder="Search products"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      <button type="submit" className="button">
        Search
      </button>
    </form>
  );
}

export function Layout() {
  const { user, isAdmin, logout, ended } = useAuth();
  const { count } = useCart();
  const location = useLocation();
  const navigate = useNavigate();
  const main = useRef<HTMLElement>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const shownPath = useRef(location.pathname);
  const notice = arrivalNotice(location.state);

  useEffect(() => {
    setMenuOpen(false);
    // Only a navigation moves focus: not the first page, nor an effect run twice.
    if (shownPath.current === location.pathname) return;
    shownPath.current = location.pathname;
    main.current?.focus();
    window.scrollTo(0, 0);
  }, [location.pathname]);

  // The session ended on its own (refresh refused): sign in again, then come back here.
  useEffect(() => {
    if (ended === "expired" && !location.pathname.startsWith("/login")) {
      navigate(loginHref(location.pathname + location.search), { replace: true });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ended]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand" aria-label="Mercato home">
            <span className="brand-mark" aria-hidden="true">
              M
            </span>
            Mercato
          </Link>
          <button
            type="button"
            className="menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="site-nav"
            onClick={() => setMenuOpen((open) => !open)}
          >
            Menu
          </button>
          <nav id="site-nav" className={`site-nav${menuOpen ? " open" : ""}`} aria-label="Main">
            <SearchBox />
            <ul>
              <li>
                <NavLink to="/products">Shop</NavLink>
              </li>
              {user && (
                <>
                  <li>
                    <NavLink to="/orders">Orders</NavLink>
                  </li>
                  <li>
                    <NavLink to="/notifications">Inbox</NavLink>
                  </li>
                  <li>
                    <NavLink to="/account">Account</NavLink>
                  </li>
                </>
              )}
              {isAdmin && (
                <li>
                  <NavLink to="/admin">Admin</NavLink>
                </li>
              )}
              {user ? (
                <li>
                  <button type="button" className="link-button" onClick={() => void logout().then(() => navigate("/"))}>
                    Sign out
                  </button>
                </li>
              ) : (
                <>
                  <li>
                    <NavLink to="/login">Sign in</NavLink>
                  </li>
                  <li>
                    <NavLink to="/register">Register</NavLink>
                  </li>
                </>
              )}
              <li>
                <NavLink to="/cart" className="cart-link" aria-label={`Cart, ${count} ${count === 1 ? "item" : "items"}`}>
                  Cart <span className="cart-count">{count}</span>
                </NavLink>
              </li>
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="site-main">
        {notice && <Notice kind="success">{notice}</Notice>}
        <ErrorBoundary resetKey={location.pathname}>
          <Outlet />
        </ErrorBoundary>
      </main>
      <footer className="site-footer">
        <p>
          Mercato demo shop · payments are simulated: no card is ever charged.{" "}
          {user ? <span>Signed in as {user.email}</span> : null}
        </p>
      </footer>
    </div>
  );
}
