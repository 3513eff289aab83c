/** The typed API client: one openapi-fetch client per service, all through the gateway, with
 * the bearer token added and refreshed transparently. Types come from src/api/schema/, which
 * `make web-api` generates from the services' own OpenAPI documents. */

import createClient from "openapi-fetch";
import { apiUrl } from "../config";
import { ApiError, problemOf, retryAfterOf } from "./problem";
import type { paths as NotificationPaths } from "./schema/notifications";
import type { paths as OrderPaths } from "./schema/orders";
import type { paths as PaymentPaths } from "./schema/payments";
import type { paths as ProductPaths } from "./schema/products";
import type { paths as UserPaths } from "./schema/users";
import { session, type TokenPair } from "./session";

/** Paths where a 401 means "wrong credentials", not "refresh and try again". */
const NO_REFRESH = ["/api/auth/login", "/api/auth/register", "/api/auth/refresh"];

function isRefreshable(request: Request): boolean {
  const path = new URL(request.url).pathname;
  return !NO_REFRESH.includes(path);
}

/** fetch, but a network failure becomes an ApiError with status 0. */
async function send(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, { title: ApiError.fallback(0) });
  }
}

/** The fetch every client uses: adds the access token; on a 401 refreshes it once and sends
 * the request again; when the refresh is refused the session ends (everywhere). */
export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const token = input.headers.has("Authorization") ? null : await session.accessToken();
  if (token) input.headers.set("Authorization", `Bearer ${token}`);
  const response = await send(input);
  if (response.status !== 401 || !token || !isRefreshable(input)) return response;
  const fresh = await session.refresh(token);
  if (!fresh) return response;
  retry.headers.set("Authorization", `Bearer ${fresh}`);
  return send(retry);
}

/** Trades a refresh token for a new pair: null when refused, an ApiError when the service could
 * not answer (the session is kept then: being offline does not sign anyone out). */
async function refreshTokens(refreshToken: string): Promise<TokenPair | null> {
  const response = await send(
    new Request(`${apiUrl()}/api/auth/refresh`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: refreshToken }),
    }),
  );
  if (response.ok) return (await response.json()) as TokenPair;
  if (response.status === 400 || response.status === 401 || response.status === 422) return null;
  throw new ApiError(response.status, await problemOf(response), retryAfterOf(response));
}

session.useRefresher(refreshTokens);

function clientFor<Paths extends {}>() {
  return createClient<Paths>({ baseUrl: apiUrl(), fetch: authFetch });
}

export const api = {
  users: clientFor<UserPaths>(),
  products: clientFor<ProductPaths>(),
  orders: clientFor<OrderPaths>(),
  payments: clientFor<PaymentPaths>(),
  notifications: clientFor<NotificationPaths>(),
};

/** The data of a call, or an ApiError carrying the service's problem details. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const problem =
    error && typeof error === "object"
      ? (error as Record<string, unknown>)
      : { title: ApiError.fallback(response.status) };
  throw new ApiError(response.status, { status: response.status, ...problem }, retryAfterOf(response));
}
