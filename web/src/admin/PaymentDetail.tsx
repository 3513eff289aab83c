/** One payment for an admin: what was charged, its refunds, and a form to refund all or part
 * of what remains. A refund is sent with an Idempotency-Key, and the same key again when a
 * resend follows a failure that left its outcome unknown, so nothing is refunded twice. */

import { useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError, describeError, fieldMessages } from "../api/problem";
import type { Payment } from "../api/types";
import { TextAreaField, TextField } from "../components/Field";
import { Price } from "../components/Price";
import { EmptyState, ErrorState, Loading, Notice } from "../components/Status";
import { StatusBadge } from "../components/StatusBadge";
import { formatDateTime, formatPrice } from "../format/money";
import { useResource } from "../hooks/useResource";
import { usePageTitle } from "../hooks/usePageTitle";
import { methodName } from "./Payments";
import { ActionNotice, byId, cents, PageHeader, shortId, type Flash } from "./shared";

/** What can still be refunded, as a decimal string. */
export function remainingOf(payment: Payment): string {
  return (Math.max(0, cents(payment.amount) - cents(payment.refunded_amount)) / 100).toFixed(2);
}

/** An answer that leaves the refund's fate unknown: the network failed, or the service did. */
function outcomeUnknown(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500);
}

function RefundForm({ payment, onRefunded }: { payment: Payment; onRefunded: (text: string) => void }) {
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // The key of a refund whose outcome is unknown, and the body it was sent with.
  const pending = useRef<{ key: string; body: string } | null>(null);
  const remaining = remainingOf(payment);
  const errors = fieldMessages(error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = {
      ...(amount.trim() ? { amount: amount.trim() } : {}),
      ...(reason.trim() ? { reason: reason.trim() } : {}),
    };
    const sent = JSON.stringify(body);
    const key = pending.current?.body === sent ? pending.current.key : crypto.randomUUID();
    pending.current = { key, body: sent };
    setBusy(true);
    setError(null);
    try {
      const refund = await unwrap(
        api.payments.POST("/api/payments/{payment_id}/refund", {
          params: { path: { payment_id: payment.id }, header: { "Idempotency-Key": key } },
          body,
          headers: { "Idempotency-Key": key },
        }),
      );
      pending.current = null;
      setAmount("");
      setReason("");
      onRefunded(`Refunded ${formatPrice(refund.amount, payment.currency)}.`);
    } catch (caught) {
      if (!outcomeUnknown(caught)) pending.current = null;
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const placed = Boolean(errors.amount || errors.reason);
  return (
    <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby="refund-title">
      <h2 id="refund-title">Refund</h2>
      <p>
        Up to <Price amount={remaining} currency={payment.currency} /> can be refunded.
      </p>
      {error !== null && (
        <Notice kind="error">
          {placed ? "No refund was made: some fields need attention." : `No refund was made. ${describeError(error)}`}
          {outcomeUnknown(error) && " Sending it again is safe: it will not be refunded twice."}
        </Notice>
      )}
      <TextField
        label={`Amount (${payment.currency})`}
        name="amount"
        inputMode="decimal"
        value={amount}
        onChange={(event) => setAmount(event.target.value)}
        error={errors.amount}
        hint={`Leave empty to refund the rest: ${formatPrice(remaining, payment.currency)}.`}
      />
      <TextAreaField
        label="Reason (optional)"
        name="reason"
        value={reason}
        rows={2}
        onChange={(event) => setReason(event.target.value)}
        error={errors.reason}
      />
      <div className="form-actions">
        <button type="submit" className="button danger" disabled={busy}>
          {busy ? "Refunding…" : amount.trim() ? "Refund this amount" : "Refund the rest"}
        </button>
      </div>
    </form>
  );
}

export function PaymentDetailPage() {
  const { paymentId = "" } = useParams();
  const payment = useResource(
    (signal) =>
      byId(paymentId, () =>
        unwrap(api.payments.GET("/api/payments/{payment_id}", { params: { path: { payment_id: paymentId } }, signal })),
      ),
    [paymentId],
  );
  const [flash, setFlash] = useState<Flash | null>(null);
  usePageTitle(paymentId ? `Payment ${shortId(paymentId)} · Admin` : "Payment · Admin");

  const back = (
    <p className="admin-back">
      <Link to="/admin/payments">← Payments</Link>
    </p>
  );
  const data = payment.data?.id === paymentId ? payment.data : undefined;
  if (!data) {
    if (payment.status === "error") {
      const missing = payment.error instanceof ApiError && payment.error.status === 404;
      return (
        <section>
          {back}
          <PageHeader title={missing ? "Payment not found" : "Payment"} />
          {missing ? <p>There is no payment with this id.</p> : <ErrorState error={payment.error} onRetry={payment.reload} />}
        </section>
      );
    }
    return <Loading label="Loading the payment…" />;
  }

  const refundable = data.status !== "failed" && cents(remainingOf(data)) > 0;
  return (
    <section>
      {back}
      <PageHeader title={`Payment ${shortId(data.id)}`}>
        <StatusBadge status={data.status} />
      </PageHeader>
      <ActionNotice flash={flash} />
      {payment.status === "error" && <ErrorState error={payment.error} onRetry={payment.reload} title="This could not be refreshed." />}
      <div className="admin-columns">
        <div>
          <section className="card" aria-labelledby="payment-facts">
            <h2 id="payment-facts">Details</h2>
            <dl className="admin-facts">
              <dt>Amount</dt>
              <dd>
                <Price amount={data.amount} currency={data.currency} />
              </dd>
              <dt>Refunded</dt>
              <dd>
                <Price amount={data.refunded_amount} currency={data.currency} />
              </dd>
              <dt>Order</dt>
              <dd>
                <Link to={`/admin/orders/${data.order_id}`}>Order {shortId(data.order_id)}</Link>
              </dd>
              <dt>Customer</dt>
              <dd>
                <code title={data.user_id}>{shortId(data.user_id)}</code>
              </dd>
              <dt>Method</dt>
              <dd>{methodName(data.payment_method)}</dd>
              {data.transaction_id && (
                <>
                  <dt>Transaction</dt>
                  <dd>
                    <code>{data.transaction_id}</code>
                  </dd>
                </>
              )}
              {data.failure_code && (
                <>
                  <dt>Failure</dt>
                  <dd>{data.failure_code.replace(/_/g, " ")}</dd>
                </>
              )}
              <dt>Date</dt>
              <dd>{formatDateTime(data.created_at)}</dd>
            </dl>
          </section>
          <section className="card" aria-labelledby="refunds-title">
            <h2 id="refunds-title">Refunds</h2>
            {data.refunds.length === 0 ? (
              <EmptyState title="No refunds." />
            ) : (
              <div className="table-wrap">
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col" className="admin-number">Amount</th>
                      <th scope="col">Reason</th>
                      <th scope="col">Date</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.refunds.map((refund) => (
                      <tr key={refund.id}>
                        <td className="admin-number">
                          <Price amount={refund.amount} currency={data.currency} />
                        </td>
                        <td>{refund.reason ?? <span className="muted">—</span>}</td>
                        <td>{formatDateTime(refund.created_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </div>
        <div className="card admin-aside">
          {refundable ? (
            <RefundForm
              payment={data}
              onRefunded={(text) => {
                setFlash({ kind: "success", text });
                payment.reload();
              }}
            />
          ) : (
            <>
              <h2>Refund</h2>
              <p>
                {data.status === "failed"
                  ? "This payment failed and charged nothing: there is nothing to refund."
                  : "This payment is refunded in full."}
              </p>
            </>
          )}
        </div>
      </div>
    </section>
  );
}
