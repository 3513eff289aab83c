/** The shopper's orders, newest first; the status filter and the page are in the URL. */

import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import type { OrderStatus } from "../api/types";
import { itemCount } from "../checkout/OrderParts";
import { SelectField } from "../components/Field";
import { Pagination } from "../components/Pagination";
import { Price } from "../components/Price";
import { EmptyState, ErrorState, Loading } from "../components/Status";
import { ORDER_STATUSES, orderStatusOf, StatusBadge } from "../components/StatusBadge";
import { formatDate } from "../format/money";
import { usePageTitle } from "../hooks/usePageTitle";
import { useResource } from "../hooks/useResource";
import "../styles/shopping.css";

const PAGE_SIZE = 10;


function pageOf(value: string | null): number {
  const page = Number(value);
  return Number.isInteger(page) && page >= 1 ? page : 1;
}

function ordersHref(status: OrderStatus | undefined, page: number): string {
  const query = new URLSearchParams();
  if (status) query.set("status", status);
  if (page > 1) query.set("page", String(page));
  const search = query.toString();
  return search ? `/orders?${search}` : "/orders";
}

export function OrdersPage() {
  usePageTitle("Your orders");
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const status = orderStatusOf(params.get("status"));
  const page = pageOf(params.get("page"));
  const orders = useResource(
    (signal) => unwrap(api.orders.GET("/api/orders", { params: { query: { page, limit: PAGE_SIZE, status } }, signal })),
    [page, status],
  );
  const statusLabel = ORDER_STATUSES.find((candidate) => candidate.value === status)?.label.toLowerCase();

  let content;
  if (orders.status === "error" && !orders.data) {
    content = <ErrorState error={orders.error} title="Your orders could not be loaded." onRetry={orders.reload} />;
  } else if (!orders.data) {
    content = <Loading label="Loading your orders…" />;
  } else if (orders.data.items.length === 0) {
    content =
      orders.data.total > 0 ? (
        <EmptyState title="There are no orders on this page.">
          <Link to={ordersHref(status, 1)}>Go to the first page</Link>
        </EmptyState>
      ) : status ? (
        <EmptyState title={`You have no ${statusLabel} orders.`}>
          <Link to="/orders">Show all orders</Link>
        </EmptyState>
      ) : (
        <EmptyState title="You have no orders yet">
          <p>When you place an order, it shows up here.</p>
          <Link to="/products" className="button">
            Browse the shop
          </Link>
        </EmptyState>
      );
  } else {
    const data = orders.data;
    content = (
      <>
        {orders.status === "error" && <ErrorState error={orders.error} title="Your orders could not be refreshed." onRetry={orders.reload} />}
        <p className="muted" aria-live="polite">
          {data.total} {data.total === 1 ? "order" : "orders"}
          {statusLabel ? ` ${statusLabel}` : ""}
          {orders.status === "loading" ? " · updating…" : ""}
        </p>
        <div className="table-wrap">
          <table className="data orders-table">
            <caption className="visually-hidden">Your orders</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Placed</th>
                <th scope="col">Status</th>
                <th scope="col" className="numeric">
                  Items
                </th>
                <th scope="col" className="numeric">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((order) => (
                <tr key={order.id}>
                  <th scope="row" data-label="Order">
                    <Link to={`/orders/${order.id}`}>{order.order_number}</Link>
                  </th>
                  <td data-label="Placed">
                    <time dateTime={order.created_at}>{formatDate(order.created_at)}</time>
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={order.status} />
                  </td>
                  <td data-label="Items" className="numeric">
                    {itemCount(order)}
                  </td>
                  <td data-label="Total" className="numeric">
                    <Price amount={order.total_amount} currency={order.currency} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Pagination page={data.page} pages={data.pages} hrefFor={(n) => ordersHref(status, n)} label="Order pages" />
      </>
    );
  }

  return (
    <section className="page orders-page">
      <h1>Your orders</h1>
      <div className="toolbar">
        <SelectField
          label="Status"
          value={status ?? ""}
          onChange={(event) => navigate(ordersHref(orderStatusOf(event.target.value), 1))}
        >
          <option value="">All orders</option>
          {ORDER_STATUSES.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </SelectField>
      </div>
      {content}
    </section>
  );
}
