/** Records shaped exactly like the API's answers, for the unit tests: a builder per kind with
 * plain defaults, the fields a test cares about given as overrides. */

import type { Category, Order, Payment, Product, User } from "../api/types";
import type { CartLine } from "../cart/storage";

export function user(overrides: Partial<User> = {}): User {
  return {
    id: "7f6c1d2e-0000-4000-8000-000000000001",
    email: "ada@example.com",
    email_verified: true,
    name: "Ada Lovelace",
    phone: null,
    role: "customer",
    status: "active",
    created_at: "2026-11-20T10:00:00Z",
    profile: { address: null },
    ...overrides,
  };
}

/** The shopper most tests sign in as. */
export const SHOPPER: User = user();

export const ADMIN: User = user({
  id: "aaaaaaaa-0000-4000-8000-000000000001",
  email: "admin@example.com",
  name: "Ada Admin",
  role: "admin",
  profile: { first_name: null, last_name: null, avatar_url: null, bio: null, address: null },
});

export function category(overrides: Partial<Category> & { id: string; name: string }): Category {
  return {
    slug: overrides.name.toLowerCase(),
    description: "",
    is_active: true,
    product_count: 0,
    ...overrides,
  };
}

export function product(overrides: Partial<Product> & { id: string; name: string }): Product {
  return {
    description: "",
    price: "10.00",
    currency: "USD",
    sku: `SKU-${overrides.id.slice(0, 4)}`,
    stock: 20,
    image_url: null,
    category: null,
    is_active: true,
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-20T10:00:00Z",
    ...overrides,
  };
}

export function order(overrides: Partial<Order> = {}): Order {
  return {
    id: "0b8e4d6a-0000-4000-8000-0000000000aa",
    order_number: "MC-7Q2K-4XPA",
    user_id: SHOPPER.id,
    status: "paid",
    items: [
      { product_id: "p-1", name: "Linen apron", sku: "APR-1", quantity: 2, unit_price: "24.50", line_total: "49.00" },
    ],
    total_amount: "49.00",
    currency: "USD",
    shipping_address: { name: "Ada Lovelace", line1: "12 Analytical St", city: "London", postal_code: "N1 7AA", country: "GB" },
    payment: { id: "pay-1", status: "succeeded", failure_code: null },
    status_history: [{ status: "pending", at: "2026-11-25T10:00:00Z", note: null }],
    created_at: "2026-11-25T10:00:00Z",
    updated_at: "2026-11-25T10:00:00Z",
    ...overrides,
  };
}

export function payment(overrides: Partial<Payment> = {}): Payment {
  return {
    id: "b0000000-0000-4000-8000-000000000001",
    order_id: order().id,
    user_id: SHOPPER.id,
    amount: "49.00",
    currency: "USD",
    status: "succeeded",
    payment_method: "pm_card_visa",
    transaction_id: "txn_1",
    failure_code: null,
    refunded_amount: "0.00",
    refunds: [],
    created_at: "2026-11-25T10:02:00Z",
    ...overrides,
  };
}

/** One page of a list, as every list endpoint answers it (`pages` counted like the API does). */
export function pageOf<T>(items: T[], { page = 1, limit = 20, total = items.length } = {}) {
  return { items, total, page, limit, pages: Math.ceil(total / limit) };
}

/** The cart line the storefront keeps for `quantity` of `item`. */
export function cartLine(item: Product, quantity: number): CartLine {
  return {
    productId: item.id,
    name: item.name,
    price: item.price,
    currency: item.currency,
    imageUrl: item.image_url,
    stock: item.stock,
    quantity,
  };
}
