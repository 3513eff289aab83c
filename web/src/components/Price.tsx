import { formatPrice } from "../format/money";

export function Price({ amount, currency = "USD", className }: { amount: string | number; currency?: string; className?: string }) {
  return <span className={className ? `price ${className}` : "price"}>{formatPrice(amount, currency)}</span>;
}
