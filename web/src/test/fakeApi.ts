/** A stand-in for the gateway in the unit tests: `fetch` answered from a table of routes with
 * real `Response`s shaped like the API's (JSON, problem details), every request kept. */

import { vi } from "vitest";
import { session } from "../api/session";

/** A JSON answer. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

/** An answer without a body: 204 No Content, or 202 Accepted for work done later. */
export function empty(status = 204): Response {
  return new Response(null, { status });
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** An error as the services answer it (RFC 9457, like `problem_response` in mercato.kit): `extra`
 * holds `code`, `errors` and any other member, and may replace the title. */
export function problem(
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const code = typeof extra.code === "string" ? extra.code : `http-${status}`;
  const body = {
    type: `https://mercato.dev/problems/${code}`,
    title: REASONS[status] ?? "Error",
    status,
    detail,
    request_id: "req-1",
    ...extra,
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

/** A request as the gateway received it, its JSON body already read. */
export interface Call {
  method: string;
  /** The path alone, `/api/orders`. */
  path: string;
  /** The path with its query string, `/api/orders?page=2&limit=10`. */
  pathAndQuery: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

/** `"GET /api/products/<id>"` -> the answer. In a route a `*` stands for one path segment, and a
 * route with a `?` must match the query too. A handler that throws is a network failure. */
export type Routes = Record<string, (call: Call) => Response | Promise<Response>>;

function matcher(route: string): (call: Call) => boolean {
  const [method, pattern = ""] = route.split(" ");
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/?]+");
  const expression = new RegExp(`^${escaped}$`);
  const withQuery = pattern.includes("?");
  return (call) => call.method === method && expression.test(withQuery ? call.pathAndQuery : call.path);
}

async function bodyOf(request: Request): Promise<unknown> {
  const text = await request.clone().text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Stubs `fetch` with `routes`, tried in order. `GET /api/auth/me` answers whoever is signed in
 * unless a route says otherwise; anything else unrouted is a 404. Returns every call, in order. */
export function fakeApi(routes: Routes = {}): Call[] {
  const calls: Call[] = [];
  const table = Object.entries(routes).map(([route, answer]) => ({ matches: matcher(route), answer }));
  vi.stubGlobal(
    "fetch",
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      const call: Call = {
        method: request.method,
        path: url.pathname,
        pathAndQuery: url.pathname + url.search,
        query: url.searchParams,
        headers: request.headers,
        body: await bodyOf(request),
      };
      calls.push(call);
      const route = table.find(({ matches }) => matches(call));
      if (route) return route.answer(call);
      if (call.method === "GET" && call.path === "/api/auth/me") {
        const current = session.get();
        return current ? json(current.user) : problem(401, "Not authenticated.", { code: "not_authenticated" });
      }
      return problem(404, `No fake route for ${call.method} ${call.pathAndQuery}`);
    }),
  );
  return calls;
}
