/** Money and dates as a shopper reads them: Intl formats, the API's decimal strings in. */

const formatters = new Map<string, Intl.NumberFormat>();

export function formatPrice(amount: string | number, currency = "USD", locale?: string): string {
  const key = `${locale ?? ""}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
    formatters.set(key, formatter);
  }
  const value = typeof amount === "number" ? amount : Number(amount);
  return formatter.format(Number.isFinite(value) ? value : 0);
}

/** Sum of decimal strings in cents, so 0.1 + 0.2 is 0.30. */
export function addPrices(amounts: (string | number)[]): string {
  const cents = amounts.reduce<number>((sum, amount) => sum + Math.round(Number(amount) * 100), 0);
  return (cents / 100).toFixed(2);
}

export function multiplyPrice(amount: string | number, quantity: number): string {
  return ((Math.round(Number(amount) * 100) * quantity) / 100).toFixed(2);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateOnly.format(date);
}
