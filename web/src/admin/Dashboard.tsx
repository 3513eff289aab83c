/** The admin's morning glance: today's orders, today's revenue, and what is running out. */

import type { ReactNode } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../api/client";
import type { Order, Product } from "../api/types";
import { Price } from "../components/Price";
import { EmptyState, ErrorState, Loading } from "../components/Status";
import { StatusBadge } from "../components/StatusBadge";
import { formatDateTime, formatPrice } from "../format/money";
import { useResource, type Resource } from "../hooks/useResource";
import { usePageTitle } from "../hooks/usePageTitle";
import { cents, PageHeader } from "./shared";

/** Orders that brought money in: paid, and every step after it (not cancelled ones). */
const EARNING = new Set<Order["status"]>(["paid", "processing", "shipped", "delivered"]);
export const LOW_STOCK = 5;
const LATEST = 5;
const PAGE = 100;
const MAX_PAGES = 20;

/** Midnight of the admin's own day, as the instant the API compares with. */
export function startOfToday(now = new Date()): string {
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  return midnight.toISOString();
}

interface Today {
  count: number;
  orders: Order[];
  /** True when there were more orders than were read, so the revenue is a lower bound. */
  partial: boolean;
}

async function todaysOrders(signal: AbortSignal): Promise<Today> {
  const createdFrom = startOfToday();
  const orders: Order[] = [];
  let count = 0;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const found = await unwrap(
      api.orders.GET("/api/orders", {
        params: { query: { created_from: createdFrom, page, limit: PAGE } },
        signal,
      }),
    );
    count = found.total;
    orders.push(...found.items);
    if (page >= found.pages) break;
  }
  return { count, orders, partial: orders.length < count };
}

/** Revenue per currency, largest first. */
export function revenueOf(orders: Order[]): { currency: string; amount: string }[] {
  const sums = new Map<string, number>();
  for (const order of orders) {
    if (!EARNING.has(order.status)) continue;
    sums.set(order.currency, (sums.get(order.currency) ?? 0) + cents(order.total_amount));
  }
  return [...sums.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([currency, total]) => ({ currency, amount: (total / 100).toFixed(2) }));
}

function Card({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section className="card admin-card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function CardState<T>({ resource, label, render }: {
  resource: Resource<T>;
  label: string;
  render: (data: T) => ReactNode;
}) {
  if (resource.data !== undefined) return <>{render(resource.data)}</>;
  if (resource.status === "error") return <ErrorState error={resource.error} onRetry={resource.reload} />;
  return <Loading label={label} />;
}

function TodaysOrders({ today }: { today: Resource<Today> }) {
  return (
    <Card title="Today's orders" id="dash-orders">
      <CardState
        resource={today}
        label="Loading today's orders…"
        render={({ count, orders }) => (
          <>
            <p className="admin-figure">
              <span className="admin-figure-value">{count}</span>{" "}
              <span className="muted">{count === 1 ? "order since midnight" : "orders since midnight"}</span>
            </p>
            {orders.length === 0 ? (
              <EmptyState title="No orders yet today." />
            ) : (
              <>
                <h3 className="admin-card-subtitle">Latest</h3>
                <ul className="admin-list">
                  {orders.slice(0, LATEST).map((order) => (
                    <li key={order.id}>
                      <Link to={`/admin/orders/${order.id}`}>{order.order_number}</Link>{" "}
                      <StatusBadge status={order.status} />{" "}
                      <Price amount={order.total_amount} currency={order.currency} />
                      <span className="muted admin-list-meta">{formatDateTime(order.created_at)}</span>
                    </li>
                  ))}
                </ul>
                <p>
                  <Link to="/admin/orders">All orders</Link>
                </p>
              </>
            )}
          </>
        )}
      />
    </Card>
  );
}

function TodaysRevenue({ today }: { today: Resource<Today> }) {
  return (
    <Card title="Today's revenue" id="dash-revenue">
      <CardState
        resource={today}
        label="Adding up today's revenue…"
        render={({ orders, partial }) => {
          const revenue = revenueOf(orders);
          return (
            <>
              {revenue.length === 0 ? (
                <p className="admin-figure">
                  <span className="admin-figure-value">{formatPrice(0)}</span>
                </p>
              ) : (
                <ul className="admin-figures">
                  {revenue.map(({ currency, amount }) => (
                    <li key={currency} className="admin-figure">
                      <span className="admin-figure-value">{formatPrice(amount, currency)}</span>
                    </li>
                  ))}
                </ul>
              )}
              <p className="muted">
                Orders paid, processing, shipped or delivered, placed since midnight.
                {partial && " Only the latest orders were added up: there are too many to read at once."}
              </p>
            </>
          );
        }}
      />
    </Card>
  );
}

function LowStock() {
  const products = useResource(
    (signal) =>
      unwrap(api.products.GET("/api/products", { params: { query: { sort: "stock", limit: 20 } }, signal })),
    [],
  );
  return (
    <Card title="Low stock" id="dash-stock">
      <CardState
        resource={products}
        label="Looking for low stock…"
        render={(page) => {
          const low: Product[] = page.items.filter((product) => product.stock <= LOW_STOCK);
          if (low.length === 0) return <EmptyState title={`No product for sale has ${LOW_STOCK} or fewer left.`} />;
          return (
            <>
              <ul className="admin-list">
                {low.map((product) => (
                  <li key={product.id}>
                    <Link to={`/admin/products/${product.id}`}>{product.name}</Link>{" "}
                    <span className={product.stock === 0 ? "admin-stock-out" : "admin-stock-low"}>
                      {product.stock === 0 ? "Out of stock" : `${product.stock} left`}
                    </span>
                  </li>
                ))}
              </ul>
              {low.length === page.items.length && page.total > page.items.length && (
                <p className="muted">Showing the {low.length} lowest.</p>
              )}
            </>
          );
        }}
      />
    </Card>
  );
}

export function DashboardPage() {
  usePageTitle("Dashboard · Admin");
  const today = useResource(todaysOrders, []);
  return (
    <section>
      <PageHeader title="Dashboard" />
      <div className="admin-cards">
        <TodaysOrders today={today} />
        <TodaysRevenue today={today} />
        <LowStock />
      </div>
    </section>
  );
}
