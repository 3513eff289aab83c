/** The cart as kept in localStorage: one for the guest, one per signed-in user, so a shared
 * computer does not show one shopper's cart to the next. */

export const MAX_QUANTITY = 100;
export const MAX_LINES = 50;

export interface CartLine {
  productId: string;
  name: string;
  price: string;
  currency: string;
  imageUrl: string | null;
  quantity: number;
  /** Stock when the line was last checked; quantities never exceed it. */
  stock: number;
}

export function cartKey(userId: string | null): string {
  return userId ? `mercato.cart.${userId}` : "mercato.cart.guest";
}

function isLine(value: unknown): value is CartLine {
  if (!value || typeof value !== "object") return false;
  const line = value as Record<string, unknown>;
  return (
    typeof line.productId === "string" &&
    typeof line.name === "string" &&
    typeof line.price === "string" &&
    typeof line.currency === "string" &&
    typeof line.quantity === "number" &&
    Number.isInteger(line.quantity) &&
    line.quantity > 0
  );
}

export function loadCart(userId: string | null): CartLine[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(cartKey(userId)) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter(isLine).slice(0, MAX_LINES) : [];
  } catch {
    return [];
  }
}

export function saveCart(userId: string | null, lines: CartLine[]): void {
  if (lines.length === 0) localStorage.removeItem(cartKey(userId));
  else localStorage.setItem(cartKey(userId), JSON.stringify(lines));
}

export function clampQuantity(quantity: number, stock: number): number {
  const ceiling = Math.max(0, Math.min(MAX_QUANTITY, stock));
  return Math.max(0, Math.min(Math.floor(quantity), ceiling));
}

/** `incoming` added into `base`: quantities of the same product add up (within stock and the
 * per-line limit); the newer name, price and stock win. */
export function mergeLines(base: CartLine[], incoming: CartLine[]): CartLine[] {
  const merged = base.map((line) => ({ ...line }));
  for (const line of incoming) {
    const existing = merged.find((candidate) => candidate.productId === line.productId);
    if (existing) {
      const stock = line.stock;
      Object.assign(existing, { ...line, quantity: clampQuantity(existing.quantity + line.quantity, stock) });
    } else if (merged.length < MAX_LINES) {
      merged.push({ ...line, quantity: clampQuantity(line.quantity, line.stock) });
    }
  }
  return merged.filter((line) => line.quantity > 0);
}
