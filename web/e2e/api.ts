/** Setting the scene through the public API, as another client of the shop would: the browser
 * tests then check what a person sees. */

import type { StackInfo } from "./stack";

export interface Session {
  token: string;
  userId: string;
}

async function call<T>(stack: StackInfo, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (method === "POST" && path.startsWith("/api/payments")) headers["Idempotency-Key"] = crypto.randomUUID();
  const response = await fetch(`${stack.gateway}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function login(stack: StackInfo, email: string, password: string): Promise<Session> {
  const pair = await call<{ access_token: string; user: { id: string } }>(stack, "POST", "/api/auth/login", {
    email,
    password,
  });
  return { token: pair.access_token, userId: pair.user.id };
}

export async function register(stack: StackInfo, email: string, password: string, name: string): Promise<Session> {
  const pair = await call<{ access_token: string; user: { id: string } }>(stack, "POST", "/api/auth/register", {
    email,
    password,
    name,
  });
  return { token: pair.access_token, userId: pair.user.id };
}

export interface ProductJson {
  id: string;
  name: string;
  price: string;
  stock: number;
  sku: string;
}

export async function createProduct(stack: StackInfo, admin: Session, fields: Record<string, unknown>): Promise<ProductJson> {
  return call<ProductJson>(stack, "POST", "/api/products", fields, admin.token);
}

export async function categoryId(stack: StackInfo, slug: string): Promise<string> {
  const { items } = await call<{ items: { id: string; slug: string }[] }>(stack, "GET", "/api/categories");
  const found = items.find((category) => category.slug === slug);
  if (!found) throw new Error(`no category ${slug}`);
  return found.id;
}

export interface OrderJson {
  id: string;
  order_number: string;
  status: string;
  total_amount: string;
  payment: { id: string; status: string } | null;
}

export async function placePaidOrder(stack: StackInfo, shopper: Session, productId: string, quantity: number): Promise<OrderJson> {
  return call<OrderJson>(
    stack,
    "POST",
    "/api/orders",
    {
      items: [{ product_id: productId, quantity }],
      shipping_address: { name: "Ada Shopper", line1: "1 Market Street", city: "Springfield", postal_code: "12345", country: "US" },
      payment_method: "pm_card_visa",
    },
    shopper.token,
  );
}
