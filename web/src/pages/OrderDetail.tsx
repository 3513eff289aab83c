/** One of the shopper's orders: items, address, payment and the history of its status, with
 * "Pay now" while it waits for payment and a confirmed cancel while it can still be cancelled. */

import { useEffect, useRef, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError, describeError } from "../api/problem";
import type { Order } from "../api/types";
import { ItemsAndAddress } from "../checkout/OrderParts";
import { failureWording } from "../checkout/paymentMethods";
import { TextAreaField } from "../components/Field";
import { ErrorState, Loading, Notice } from "../components/Status";
import { StatusBadge } from "../components/StatusBadge";
import { formatDateTime, formatPrice } from "../format/money";
import { usePageTitle } from "../hooks/usePageTitle";
import { useResource } from "../hooks/useResource";
import "../styles/shopping.css";

const CANCELLABLE = new Set<Order["status"]>(["pending", "paid", "processing"]);

export function OrderDetailPage() {
  const { orderId = "" } = useParams();
  return <OrderDetail key={orderId} orderId={orderId} />;
}

function OrderDetail({ orderId }: { orderId: string }) {
  const resource = useResource(
    (signal) => unwrap(api.orders.GET("/api/orders/{order_id}", { params: { path: { order_id: orderId } }, signal })),
    [orderId],
  );
  // The order as the last cancel answered it, until the next load.
  const [answered, setAnswered] = useState<Order | null>(null);
  const order = answered ?? resource.data;
  usePageTitle(order ? `Order ${order.order_number}` : "Order");

  if (!order) {
    if (resource.status === "error" && resource.error instanceof ApiError && resource.error.status === 404) {
      return (
        <section className="page narrow">
          <h1>Order not found</h1>
          <p>There is no such order in your account.</p>
          <Link to="/orders">Back to your orders</Link>
        </section>
      );
    }
    return (
      <section className="page">
        <h1>Order</h1>
        {resource.status === "error" ? (
          <ErrorState error={resource.error} title="This order could not be loaded." onRetry={resource.reload} />
        ) : (
          <Loading label="Loading the order…" />
        )}
      </section>
    );
  }

  return (
    <OrderView
      order={order}
      onCancelled={setAnswered}
      onStale={() => {
        setAnswered(null);
        resource.reload();
      }}
    />
  );
}

function PaymentSummary({ order }: { order: Order }) {
  const payment = order.payment;
  if (!payment) return <p>{order.status === "cancelled" ? "No payment was made." : "Not paid yet."}</p>;
  return (
    <p className="payment-summary">
      <StatusBadge status={payment.status} />{" "}
      {payment.status === "failed" ? (
        <span>
          The last attempt failed: {failureWording(payment.failure_code).explanation}{" "}
          {payment.failure_code && <span className="muted">(code {payment.failure_code})</span>}
        </span>
      ) : payment.status === "refunded" ? (
        <span>The payment of {formatPrice(order.total_amount, order.currency)} was refunded in full.</span>
      ) : payment.status === "partially_refunded" ? (
        <span>Part of the payment was refunded.</span>
      ) : (
        <span>{formatPrice(order.total_amount, order.currency)} paid by card.</span>
      )}
    </p>
  );
}

function OrderView({ order, onCancelled, onStale }: {
  order: Order;
  onCancelled: (order: Order) => void;
  onStale: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState("");
  const [cancelling, setCancelling] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  const wasConfirming = useRef(false);

  const unpaid = order.status === "pending" && order.payment?.status !== "succeeded";
  const cancellable = CANCELLABLE.has(order.status);
  const charged = order.status !== "pending" || order.payment?.status === "succeeded";
  const total = formatPrice(order.total_amount, order.currency);

  // Focus follows the confirmation: into it when it opens, back to its button when it closes.
  useEffect(() => {
    if (confirming) document.getElementById("cancel-reason")?.focus();
    else if (wasConfirming.current) cancelButton.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);

  const cancel = async () => {
    setCancelling(true);
    setFailure(null);
    try {
      const cancelled = await unwrap(
        api.orders.POST("/api/orders/{order_id}/cancel", {
          params: { path: { order_id: order.id } },
          body: { reason: reason.trim() || null },
        }),
      );
      setConfirming(false);
      setDone(
        charged
          ? `Order ${cancelled.order_number} is cancelled. The full amount of ${total} is refunded to your card.`
          : `Order ${cancelled.order_number} is cancelled. Nothing was charged.`,
      );
      onCancelled(cancelled);
    } catch (error) {
      setFailure(error);
      // Shipped or cancelled meanwhile: show the order as it is now.
      if (error instanceof ApiError && error.status === 409) {
        setConfirming(false);
        onStale();
      }
    } finally {
      setCancelling(false);
    }
  };

  return (
    <section className="page order-detail">
      <div className="order-heading">
        <h1>Order {order.order_number}</h1>
        <StatusBadge status={order.status} />
      </div>
      <p className="muted">
        Placed <time dateTime={order.created_at}>{formatDateTime(order.created_at)}</time> · Total{" "}
        <strong>{total}</strong>
      </p>

      {done && (
        <div ref={doneRef} tabIndex={-1} className="focus-target">
          <Notice kind="success">{done}</Notice>
        </div>
      )}
      {failure !== null && !confirming && <Notice kind="error">{describeError(failure)}</Notice>}

      {(unpaid || cancellable) && !confirming && (
        <div className="form-actions order-actions">
          {unpaid && (
            <Link to={`/checkout/${order.id}`} className="button">
              Pay now
            </Link>
          )}
          {cancellable && (
            <button
              ref={cancelButton}
              type="button"
              className="button secondary"
              onClick={() => {
                setFailure(null);
                setConfirming(true);
              }}
            >
              Cancel order
            </button>
          )}
        </div>
      )}

      {confirming && (
        <form
          className="card cancel-confirm"
          aria-labelledby="cancel-title"
          onSubmit={(event) => {
            event.preventDefault();
            void cancel();
          }}
        >
          <h2 id="cancel-title">Cancel this order?</h2>
          <p>
            {charged
              ? `You will be refunded ${total} in full to the card you paid with.`
              : "Its items go back on sale and nothing is charged."}
          </p>
          {failure !== null && <Notice kind="error">{describeError(failure)}</Notice>}
          <TextAreaField
            id="cancel-reason"
            label="Reason (optional)"
            value={reason}
            maxLength={500}
            rows={3}
            onChange={(event) => setReason(event.target.value)}
            disabled={cancelling}
          />
          <div className="form-actions">
            <button type="submit" className="button danger" disabled={cancelling}>
              {cancelling ? "Cancelling…" : "Confirm cancellation"}
            </button>
            <button type="button" className="button secondary" disabled={cancelling} onClick={() => setConfirming(false)}>
              Keep my order
            </button>
          </div>
        </form>
      )}

      <ItemsAndAddress order={order} />

      <section aria-labelledby="payment-title">
        <h2 id="payment-title">Payment</h2>
        <PaymentSummary order={order} />
      </section>

      <section aria-labelledby="history-title">
        <h2 id="history-title">Status history</h2>
        <ol className="status-history">
          {order.status_history.map((change, index) => (
            <li key={`${change.status}-${change.at}-${index}`}>
              <StatusBadge status={change.status} />
              <time dateTime={change.at}>{formatDateTime(change.at)}</time>
              {change.note && <span className="status-note">{change.note}</span>}
            </li>
          ))}
        </ol>
      </section>

      <p>
        <Link to="/orders">Back to your orders</Link>
      </p>
    </section>
  );
}
