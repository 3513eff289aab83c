/** The admin area: its own side navigation and pages, loaded only by admins (App.tsx guards it
 * with RequireAdmin and loads this module lazily). */

import { useEffect, useRef } from "react";
import { Link, NavLink, Route, Routes, useLocation } from "react-router-dom";
import { usePageTitle } from "../hooks/usePageTitle";
import { CategoriesPage } from "./Categories";
import { DashboardPage } from "./Dashboard";
import { OrderDetailPage } from "./OrderDetail";
import { OrdersPage } from "./Orders";
import { PaymentDetailPage } from "./PaymentDetail";
import { PaymentsPage } from "./Payments";
import { ProductFormPage } from "./ProductForm";
import { ProductsPage } from "./Products";
import { UsersPage } from "./Users";
import "./admin.css";

const SECTIONS = [
  { to: "/admin", label: "Dashboard", end: true },
  { to: "/admin/products", label: "Products" },
  { to: "/admin/categories", label: "Categories" },
  { to: "/admin/orders", label: "Orders" },
  { to: "/admin/payments", label: "Payments" },
  { to: "/admin/users", label: "Users" },
];

function AdminNotFound() {
  usePageTitle("Not found · Admin");
  return (
    <section>
      <h1>Admin page not found</h1>
      <p>There is no admin page at this address.</p>
      <p>
        <Link to="/admin">Back to the dashboard</Link>
      </p>
    </section>
  );
}

/** At phone width the navigation scrolls sideways: keep the current section in sight. */
function useCurrentSectionInView() {
  const nav = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  useEffect(() => {
    const bar = nav.current;
    const link = bar?.querySelector("a.active");
    if (!bar || !link) return;
    const shown = bar.getBoundingClientRect();
    const current = link.getBoundingClientRect();
    if (current.left < shown.left || current.right > shown.right) bar.scrollLeft += current.left - shown.left - 8;
  }, [pathname]);
  return nav;
}

export default function AdminRoutes() {
  const nav = useCurrentSectionInView();
  return (
    <div className="admin">
      <nav ref={nav} className="admin-nav" aria-label="Admin">
        <p className="admin-nav-title" aria-hidden="true">
          Admin
        </p>
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.to}>
              <NavLink to={section.to} end={section.end ?? false}>
                {section.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="admin-content">
        <Routes>
          <Route index element={<DashboardPage />} />
          <Route path="products" element={<ProductsPage />} />
          <Route path="products/new" element={<ProductFormPage />} />
          <Route path="products/:productId" element={<ProductFormPage />} />
          <Route path="categories" element={<CategoriesPage />} />
          <Route path="orders" element={<OrdersPage />} />
          <Route path="orders/:orderId" element={<OrderDetailPage />} />
          <Route path="payments" element={<PaymentsPage />} />
          <Route path="payments/:paymentId" element={<PaymentDetailPage />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="*" element={<AdminNotFound />} />
        </Routes>
      </div>
    </div>
  );
}
