/** An order, payment or notification status as a coloured label with words (never colour alone),
 * and the order statuses a status filter offers. */

import type { OrderStatus } from "../api/types";

const LABELS: Record<string, string> = {
  pending: "Pending",
  paid: "Paid",
  processing: "Processing",
  shipped: "Shipped",
  delivered: "Delivered",
  cancelled: "Cancelled",
  succeeded: "Succeeded",
  failed: "Failed",
  refunded: "Refunded",
  partially_refunded: "Partially refunded",
  sent: "Sent",
  active: "Active",
  suspended: "Suspended",
};

export function statusLabel(status: string): string {
  return LABELS[status] ?? status;
}

/** An order's statuses in the order it moves through them, with their words. */
export const ORDER_STATUSES: { value: OrderStatus; label: string }[] = (
  ["pending", "paid", "processing", "shipped", "delivered", "cancelled"] as const
).map((value) => ({ value, label: statusLabel(value) }));

/** The order status `value` names, or undefined for anything else (say, a hand-edited address). */
export function orderStatusOf(value: string | null): OrderStatus | undefined {
  return ORDER_STATUSES.find((status) => status.value === value)?.value;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{statusLabel(status)}</span>;
}
