/** One order for an admin: what was bought, where it goes, how it was paid, its history, and
 * the moves the state machine allows from where it stands. */

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError, describeError } from "../api/problem";
import type { Order, OrderStatus, ShippingAddress } from "../api/types";
import { TextAreaField, TextField } from "../components/Field";
import { Price } from "../components/Price";
import { ErrorState, Loading } from "../components/Status";
import { StatusBadge } from "../components/StatusBadge";
import { formatDateTime } from "../format/money";
import { useResource } from "../hooks/useResource";
import { usePageTitle } from "../hooks/usePageTitle";
import { ActionNotice, byId, PageHeader, shortId, type Flash } from "./shared";

/** The moves an admin makes by hand. `pending -> paid` is left to the payment (the service
 * refuses it from an admin), and cancelling has its own form. */
export const ADMIN_MOVES: Record<OrderStatus, { status: OrderStatus; label: string }[]> = {
  pending: [],
  paid: [{ status: "processing", label: "Mark as processing" }],
  processing: [{ status: "shipped", label: "Mark as shipped" }],
  shipped: [{ status: "delivered", label: "Mark as delivered" }],
  delivered: [],
  cancelled: [],
};

export const CANCELLABLE: ReadonlySet<OrderStatus> = new Set(["pending", "paid", "processing"]);

const STATUS_WORDS: Record<OrderStatus, string> = {
  pending: "pending",
  paid: "paid",
  processing: "processing",
  shipped: "shipped",
  delivered: "delivered",
  cancelled: "cancelled",
};

function Moves({ order, onChanged }: { order: Order; onChanged: (order: Order, flash: Flash, stale?: boolean) => void }) {
  const [note, setNote] = useState("");
  const [reason, setReason] = useState("");
  const [cancelling, setCancelling] = useState(false);
  const [busy, setBusy] = useState(false);
  const moves = ADMIN_MOVES[order.status];
  const cancellable = CANCELLABLE.has(order.status);
  const path = { order_id: order.id };
  const hintId = useId();
  const cancelButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  useEffect(() => {
    // "Keep the order" puts focus back on the button that opened the form.
    if (!cancelling && returnFocus.current) cancelButton.current?.focus();
    returnFocus.current = false;
  }, [cancelling]);

  async function act(run: () => Promise<Order>, done: (order: Order) => string) {
    setBusy(true);
    try {
      const changed = await run();
      setNote("");
      setReason("");
      setCancelling(false);
      onChanged(changed, { kind: "success", text: done(changed) });
    } catch (error) {
      const conflict = error instanceof ApiError && error.status === 409;
      onChanged(order, { kind: "error", text: `Not done: ${describeError(error)}` }, conflict);
    } finally {
      setBusy(false);
    }
  }

  function move(status: OrderStatus) {
    const trimmed = note.trim();
    void act(
      () => unwrap(api.orders.PATCH("/api/orders/{order_id}/status", { params: { path }, body: { status, ...(trimmed ? { note: trimmed } : {}) } })),
      (changed) => `Order ${changed.order_number} is now ${STATUS_WORDS[changed.status]}.`,
    );
  }

  function cancel(event: FormEvent) {
    event.preventDefault();
    const trimmed = reason.trim();
    void act(
      () => unwrap(api.orders.POST("/api/orders/{order_id}/cancel", { params: { path }, body: trimmed ? { reason: trimmed } : {} })),
      (changed) =>
        changed.payment?.status === "refunded" || order.status !== "pending"
          ? `Order ${changed.order_number} was cancelled; its stock is back and its payment is refunded.`
          : `Order ${changed.order_number} was cancelled; its stock is back.`,
    );
  }

  if (moves.length === 0 && !cancellable) {
    return (
      <section className="card" aria-labelledby="moves-title">
        <h2 id="moves-title">Next step</h2>
        <p>This order is {STATUS_WORDS[order.status]}: nothing more can happen to it.</p>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="moves-title">
      <h2 id="moves-title">Next step</h2>
      {order.status === "pending" && (
        <p className="muted">Waiting for payment: an order becomes paid when its payment succeeds, not by hand.</p>
      )}
      {moves.length > 0 && (
        <div className="admin-moves">
          <TextField
            label="Note (optional)"
            name="note"
            value={note}
            maxLength={500}
            onChange={(event) => setNote(event.target.value)}
            hint="Kept in the order's history, e.g. a tracking number."
          />
          <div className="form-actions">
            {moves.map((m) => (
              <button key={m.status} type="button" className="button" disabled={busy} onClick={() => move(m.status)}>
                {m.label}
              </button>
            ))}
          </div>
        </div>
      )}
      {cancellable &&
        (cancelling ? (
          <form className="admin-cancel" onSubmit={cancel} aria-label="Cancel the order">
            <TextAreaField
              label="Reason for cancelling (optional)"
              name="reason"
              value={reason}
              maxLength={500}
              rows={3}
              autoFocus
              onChange={(event) => setReason(event.target.value)}
              hint={
                order.status === "pending"
                  ? "The stock it holds goes back on sale."
                  : "The stock goes back on sale and the payment is refunded in full."
              }
            />
            <div className="form-actions">
              <button type="submit" className="button danger" disabled={busy}>
                {busy ? "Cancelling…" : "Confirm cancellation"}
              </button>
              <button
                type="button"
                className="button secondary"
                disabled={busy}
                onClick={() => {
                  returnFocus.current = true;
                  setCancelling(false);
                }}
              >
                Keep the order
              </button>
            </div>
          </form>
        ) : (
          <div className="form-actions admin-cancel">
            <button
              ref={cancelButton}
              type="button"
              className="button danger"
              aria-describedby={hintId}
              onClick={() => setCancelling(true)}
            >
              Cancel order
            </button>
            <span id={hintId} className="muted admin-small">
              {order.status === "pending" ? "Releases its stock." : "Releases its stock and refunds the payment."}
            </span>
          </div>
        ))}
    </section>
  );
}

function OrderView({ order, onChanged }: { order: Order; onChanged: (order: Order, flash: Flash, stale?: boolean) => void }) {
  // The API types the stored address loosely; it is always a ShippingAddress.
  const address = order.shipping_address as unknown as ShippingAddress;
  return (
    <div className="admin-columns">
      <div>
        <section className="card" aria-labelledby="items-title">
          <h2 id="items-title">Items</h2>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">SKU</th>
                  <th scope="col" className="admin-number">Quantity</th>
                  <th scope="col" className="admin-number">Unit price</th>
                  <th scope="col" className="admin-number">Line total</th>
                </tr>
              </thead>
              <tbody>
                {order.items.map((item) => (
                  <tr key={item.product_id}>
                    <td>
                      <Link to={`/admin/products/${item.product_id}`}>{item.name}</Link>
                    </td>
                    <td>
                      <code>{item.sku}</code>
                    </td>
                    <td className="admin-number">{item.quantity}</td>
                    <td className="admin-number">
                      <Price amount={item.unit_price} currency={order.currency} />
                    </td>
                    <td className="admin-number">
                      <Price amount={item.line_total} currency={order.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={4}>
                    Total
                  </th>
                  <td className="admin-number">
                    <Price amount={order.total_amount} currency={order.currency} />
                  </td>
                </tr>
              </tfoot>
            </table>
          </div>
        </section>
        <section className="card" aria-labelledby="history-title">
          <h2 id="history-title">History</h2>
          <ol className="admin-history">
            {order.status_history.map((change, index) => (
              <li key={`${change.at}-${index}`}>
                <StatusBadge status={change.status} /> <time dateTime={change.at}>{formatDateTime(change.at)}</time>
                {change.note && <p className="admin-history-note">{change.note}</p>}
              </li>
            ))}
          </ol>
        </section>
      </div>
      <div className="admin-aside">
        <Moves order={order} onChanged={onChanged} />
        <section className="card" aria-labelledby="address-title">
          <h2 id="address-title">Shipping address</h2>
          <address>
            {address.name}
            <br />
            {address.line1}
            {address.line2 && (
              <>
                <br />
                {address.line2}
              </>
            )}
            <br />
            {address.postal_code} {address.city}
            <br />
            {address.country}
          </address>
        </section>
        <section className="card" aria-labelledby="payment-title">
          <h2 id="payment-title">Payment</h2>
          {order.payment ? (
            <p>
              <StatusBadge status={order.payment.status} />{" "}
              {order.payment.failure_code && <span className="muted">({order.payment.failure_code.replace(/_/g, " ")}) </span>}
              <Link to={`/admin/payments/${order.payment.id}`}>Payment details</Link>
            </p>
          ) : (
            <p className="muted">No payment yet.</p>
          )}
        </section>
      </div>
    </div>
  );
}

export function OrderDetailPage() {
  const { orderId = "" } = useParams();
  const loaded = useResource(
    (signal) =>
      byId(orderId, () => unwrap(api.orders.GET("/api/orders/{order_id}", { params: { path: { order_id: orderId } }, signal }))),
    [orderId],
  );
  const [order, setOrder] = useState<Order | null>(null);
  const [flash, setFlash] = useState<Flash | null>(null);
  useEffect(() => {
    if (loaded.status === "ready") setOrder(loaded.data);
  }, [loaded.status, loaded.data]);
  usePageTitle(order ? `Order ${order.order_number} · Admin` : "Order · Admin");

  const back = (
    <p className="admin-back">
      <Link to="/admin/orders">← Orders</Link>
    </p>
  );
  if (!order || order.id !== orderId) {
    if (loaded.status === "error") {
      const missing = loaded.error instanceof ApiError && loaded.error.status === 404;
      return (
        <section>
          {back}
          <PageHeader title={missing ? "Order not found" : "Order"} />
          {missing ? <p>There is no order with this id.</p> : <ErrorState error={loaded.error} onRetry={loaded.reload} />}
        </section>
      );
    }
    return <Loading label="Loading the order…" />;
  }

  return (
    <section>
      {back}
      <PageHeader title={`Order ${order.order_number}`}>
        <StatusBadge status={order.status} />
      </PageHeader>
      <p className="muted">
        Placed {formatDateTime(order.created_at)} by customer <code title={order.user_id}>{shortId(order.user_id)}</code> ·{" "}
        <Link to={`/admin/orders?user_id=${encodeURIComponent(order.user_id)}`}>This customer's orders</Link>
      </p>
      <ActionNotice flash={flash} />
      <OrderView
        order={order}
        onChanged={(changed, next, stale) => {
          setOrder(changed);
          setFlash(next);
          // A conflict means the order moved meanwhile: show where it stands now.
          if (stale) loaded.reload();
        }}
      />
    </section>
  );
}
