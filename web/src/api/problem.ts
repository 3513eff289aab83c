/** RFC 9457 problem details, as every Mercato service answers errors, and the one error type
 * the web client throws. */

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  request_id?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

const FALLBACK_TITLES: Record<number, string> = {
  0: "The shop cannot be reached. Check your connection and try again.",
  400: "The request was not understood.",
  401: "Please sign in.",
  403: "You are not allowed to do that.",
  404: "Not found.",
  409: "That conflicts with the current state. Reload and try again.",
  413: "That is too large.",
  422: "Some fields need attention.",
  429: "Too many requests. Wait a moment and try again.",
  500: "Something went wrong on our side. Try again in a moment.",
  503: "The shop is temporarily unavailable. Try again in a moment.",
  504: "The shop took too long to answer. Try again in a moment.",
};

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  /** Seconds to wait before trying again, from the `Retry-After` header of a 429 or 503. */
  readonly retryAfter: number | undefined;

  constructor(status: number, problem: Problem, retryAfter?: number) {
    super(problem.detail || problem.title || ApiError.fallback(status));
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  static fallback(status: number): string {
    return FALLBACK_TITLES[status] ?? FALLBACK_TITLES[Math.floor(status / 100) * 100] ?? `Error ${status}`;
  }

  /** A machine-readable reason, e.g. `insufficient_stock`, when the service gave one. */
  get code(): string | undefined {
    return typeof this.problem.code === "string" ? this.problem.code : undefined;
  }

  get fieldErrors(): FieldError[] {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }

  /** What to show a person: the service's detail, or a plain sentence for the status. */
  get userMessage(): string {
    if (this.status === 0 || this.status >= 500) return ApiError.fallback(this.status);
    return this.problem.detail || this.problem.title || ApiError.fallback(this.status);
  }
}

/** Field errors by path, relative to `prefix` (`shipping_address.city` -> `city` with prefix
 * `shipping_address`). The first message of a field wins; `body`/`query` roots are dropped. */
export function fieldMessages(error: unknown, prefix = ""): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const messages: Record<string, string> = {};
  const head = prefix ? `${prefix}.` : "";
  for (const { field, message } of error.fieldErrors) {
    const path = field.replace(/^(body|query|path)\./, "");
    if (!path.startsWith(head)) continue;
    const key = path.slice(head.length) || "_";
    // Pydantic prefixes the message of a custom validator; a person needs only the sentence.
    messages[key] ??= message.replace(/^Value error, /, "");
  }
  return messages;
}

/** A thrown value as a sentence for an error banner. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.userMessage;
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong. Try again.";
}

/** A `Retry-After` header in seconds (it may also be an HTTP date), or undefined without one. */
export function retryAfterOf(response: Response, now = Date.now()): number | undefined {
  const value = response.headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The problem body of a response, or one made up from its status when it has none. */
export async function problemOf(response: Response): Promise<Problem> {
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      const body: unknown = await response.json();
      if (body && typeof body === "object") return body as Problem;
    } catch {
      // an unreadable body falls through to the status alone
    }
  }
  return { status: response.status, title: ApiError.fallback(response.status) };
}
