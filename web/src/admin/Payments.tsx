/** Every payment, newest first (`?page=`). */

import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { Pagination } from "../components/Pagination";
import { Price } from "../components/Price";
import { EmptyState, ErrorState, Loading } from "../components/Status";
import { StatusBadge } from "../components/StatusBadge";
import { formatDateTime } from "../format/money";
import { useResource } from "../hooks/useResource";
import { usePageTitle } from "../hooks/usePageTitle";
import { hrefWith, PageHeader, pageFrom, shortId } from "./shared";

const LIMIT = 20;

const METHODS: Record<string, string> = {
  pm_card_visa: "Visa",
  pm_card_mastercard: "Mastercard",
  pm_card_chargeDeclined: "Declined card",
  pm_card_chargeDeclinedInsufficientFunds: "Card with insufficient funds",
  pm_card_chargeDeclinedExpiredCard: "Expired card",
  pm_card_processingError: "Card with a processing error",
};

export function methodName(method: string): string {
  return METHODS[method] ?? method;
}

export function PaymentsPage() {
  usePageTitle("Payments · Admin");
  const [params] = useSearchParams();
  const page = pageFrom(params);
  const payments = useResource(
    (signal) => unwrap(api.payments.GET("/api/payments", { params: { query: { page, limit: LIMIT } }, signal })),
    [page],
  );
  const data = payments.data;

  return (
    <section>
      <PageHeader title="Payments" />
      {data === undefined ? (
        payments.status === "error" ? (
          <ErrorState error={payments.error} onRetry={payments.reload} />
        ) : (
          <Loading label="Loading payments…" />
        )
      ) : data.items.length === 0 ? (
        <EmptyState title="There are no payments yet." />
      ) : (
        <>
          {payments.status === "error" && <ErrorState error={payments.error} onRetry={payments.reload} />}
          <p className="muted" aria-live="polite">
            {data.total} {data.total === 1 ? "payment" : "payments"}
            {payments.status === "loading" ? " · updating…" : ""}
          </p>
          <div className="table-wrap">
            <table className="data">
              <caption className="visually-hidden">Payments, page {data.page}</caption>
              <thead>
                <tr>
                  <th scope="col">Payment</th>
                  <th scope="col">Order</th>
                  <th scope="col" className="admin-number">Amount</th>
                  <th scope="col">Status</th>
                  <th scope="col">Method</th>
                  <th scope="col" className="admin-number">Refunded</th>
                  <th scope="col">Date</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((payment) => (
                  <tr key={payment.id}>
                    <th scope="row">
                      <Link to={`/admin/payments/${payment.id}`} aria-label={`Payment ${shortId(payment.id)}`}>
                        {shortId(payment.id)}
                      </Link>
                    </th>
                    <td>
                      <Link to={`/admin/orders/${payment.order_id}`} aria-label={`Order of payment ${shortId(payment.id)}`}>
                        {shortId(payment.order_id)}
                      </Link>
                    </td>
                    <td className="admin-number">
                      <Price amount={payment.amount} currency={payment.currency} />
                    </td>
                    <td>
                      <StatusBadge status={payment.status} />
                    </td>
                    <td>{methodName(payment.payment_method)}</td>
                    <td className="admin-number">
                      {Number(payment.refunded_amount) > 0 ? (
                        <Price amount={payment.refunded_amount} currency={payment.currency} />
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>{formatDateTime(payment.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            page={page}
            pages={data.pages}
            hrefFor={(n) => hrefWith("/admin/payments", params, { page: n })}
            label="Payment pages"
          />
        </>
      )}
    </section>
  );
}
