/** Every customer's orders, newest first, filtered by status (`?status=&page=`, and
 * `?user_id=` for one customer's). */

import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { Pagination } from "../components/Pagination";
import { Price } from "../components/Price";
import { EmptyState, ErrorState, Loading } from "../components/Status";
import { ORDER_STATUSES, orderStatusOf, StatusBadge } from "../components/StatusBadge";
import { formatDateTime } from "../format/money";
import { useResource } from "../hooks/useResource";
import { usePageTitle } from "../hooks/usePageTitle";
import { filtered, hrefWith, PageHeader, pageFrom, shortId } from "./shared";

const LIMIT = 20;

export function OrdersPage() {
  usePageTitle("Orders · Admin");
  const [params, setParams] = useSearchParams();
  const page = pageFrom(params);
  const status = orderStatusOf(params.get("status"));
  const userId = params.get("user_id") ?? "";
  const orders = useResource(
    (signal) =>
      unwrap(
        api.orders.GET("/api/orders", {
          params: { query: { page, limit: LIMIT, ...(status ? { status } : {}), ...(userId ? { user_id: userId } : {}) } },
          signal,
        }),
      ),
    [page, status, userId],
  );
  const data = orders.data;

  return (
    <section>
      <PageHeader title="Orders" />
      <div className="toolbar">
        <div className="field">
          <label htmlFor="admin-order-status">Status</label>
          <select
            id="admin-order-status"
            value={status ?? ""}
            onChange={(event) => setParams(filtered(params, { status: event.target.value }))}
          >
            <option value="">All statuses</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        {userId && (
          <p className="admin-filter">
            Customer <code>{shortId(userId)}</code> only ·{" "}
            <Link to={hrefWith("/admin/orders", params, { user_id: null, page: null })}>All customers</Link>
          </p>
        )}
      </div>
      {data === undefined ? (
        orders.status === "error" ? (
          <ErrorState error={orders.error} onRetry={orders.reload} />
        ) : (
          <Loading label="Loading orders…" />
        )
      ) : data.items.length === 0 ? (
        <EmptyState title={status ? "No order has this status." : "There are no orders yet."} />
      ) : (
        <>
          {orders.status === "error" && <ErrorState error={orders.error} onRetry={orders.reload} />}
          <p className="muted" aria-live="polite">
            {data.total} {data.total === 1 ? "order" : "orders"}
            {orders.status === "loading" ? " · updating…" : ""}
          </p>
          <div className="table-wrap">
            <table className="data">
              <caption className="visually-hidden">Orders, page {data.page}</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Customer</th>
                  <th scope="col">Placed</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="admin-number">Total</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((order) => (
                  <tr key={order.id}>
                    <th scope="row">
                      <Link to={`/admin/orders/${order.id}`}>{order.order_number}</Link>
                    </th>
                    <td>
                      <code title={order.user_id}>{shortId(order.user_id)}</code>
                    </td>
                    <td>{formatDateTime(order.created_at)}</td>
                    <td>
                      <StatusBadge status={order.status} />
                    </td>
                    <td className="admin-number">
                      <Price amount={order.total_amount} currency={order.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            page={page}
            pages={data.pages}
            hrefFor={(n) => hrefWith("/admin/orders", params, { page: n })}
            label="Order pages"
          />
        </>
      )}
    </section>
  );
}
