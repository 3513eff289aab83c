/** The API client as pages rely on it: the bearer token, its refresh (once, however many calls
 * need it), the end of a session, and errors as ApiError. fetch is stubbed with answers shaped
 * like the gateway's. */

import { SHOPPER } from "../test/builders";
import { fakeApi, json, problem, type Call, type Routes } from "../test/fakeApi";
import { signIn, tokenPair } from "../test/render";
import { api, unwrap } from "./client";
import { ApiError, describeError, fieldMessages } from "./problem";
import { fromTokenPair, session, SESSION_KEY, type SessionEnd } from "./session";

const EXPIRED_TOKEN = () => problem(401, "The token has expired.", { code: "invalid_token" });

/** What the users service answers to a refresh that hands out `access` and `refresh`. */
function refreshed(access: string, refresh: string): Response {
  return json(tokenPair(SHOPPER, { access, refresh }));
}

function bearer(call: Call): string | null {
  return call.headers.get("Authorization");
}

function me() {
  return unwrap(api.users.GET("/api/auth/me"));
}

function refreshes(calls: Call[]): Call[] {
  return calls.filter((call) => call.path === "/api/auth/refresh");
}

/** A promise and the function that settles it, to hold an answer back. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe("the bearer token", () => {
  it("is sent with every call of a signed-in user, and not when nobody is signed in", async () => {
    const calls = fakeApi({ "GET /api/auth/me": () => json(SHOPPER) });
    await expect(me()).resolves.toMatchObject({ email: "ada@example.com" });
    signIn(SHOPPER, { access: "A1" });
    await me();
    expect(calls.map(bearer)).toEqual([null, "Bearer A1"]);
  });

  it("is refreshed before a call when it is about to expire, so the call goes out once", async () => {
    signIn(SHOPPER, { access: "A1", refresh: "R1", expiresIn: 10 }); // expires within the 30 s safety margin
    const calls = fakeApi({
      "POST /api/auth/refresh": () => refreshed("A2", "R2"),
      "GET /api/auth/me": () => json(SHOPPER),
    });

    await me();

    expect(calls.map((call) => [call.path, bearer(call)])).toEqual([
      ["/api/auth/refresh", null],
      ["/api/auth/me", "Bearer A2"],
    ]);
    expect(calls[0]?.body).toEqual({ refresh_token: "R1" });
    expect(session.get()).toMatchObject({ accessToken: "A2", refreshToken: "R2" });
  });
});

describe("a 401 on an expired access token", () => {
  it("refreshes once for several calls at the same time and retries them all with the new token", async () => {
    signIn(SHOPPER, { access: "A1", refresh: "R1" });
    let rejected = 0;
    const allRejected = gate();
    const answer = (call: Call) => {
      if (bearer(call) === "Bearer A1") {
        if (++rejected === 3) allRejected.open();
        return EXPIRED_TOKEN();
      }
      return json({ path: call.path, method: call.method });
    };
    const calls = fakeApi({
      "POST /api/auth/refresh": async () => {
        // Answer the refresh only once every call has had its 401: they all wait on it.
        await allRejected.opened;
        return refreshed("A2", "R2");
      },
      "GET /api/auth/me": answer,
      "GET /api/orders": answer,
      "GET /api/notifications": answer,
    });

    const answers = await Promise.all([
      unwrap(api.users.GET("/api/auth/me")),
      unwrap(api.orders.GET("/api/orders")),
      unwrap(api.notifications.GET("/api/notifications")),
    ]);

    expect(answers).toHaveLength(3);
    expect(refreshes(calls)).toHaveLength(1);
    const retried = calls.filter((call) => bearer(call) === "Bearer A2").map((call) => call.path);
    expect(retried.sort()).toEqual(["/api/auth/me", "/api/notifications", "/api/orders"]);
    expect(session.get()).toMatchObject({ accessToken: "A2", refreshToken: "R2" });
    expect(JSON.parse(localStorage.getItem(SESSION_KEY) ?? "{}")).toMatchObject({ accessToken: "A2" });
  });

  it("sends a request body again on the retry", async () => {
    signIn(SHOPPER, { access: "A1", refresh: "R1" });
    const calls = fakeApi({
      "POST /api/auth/refresh": () => refreshed("A2", "R2"),
      "PATCH /api/auth/me": (call) => (bearer(call) === "Bearer A1" ? EXPIRED_TOKEN() : json(SHOPPER)),
    });

    await unwrap(api.users.PATCH("/api/auth/me", { body: { name: "Ada L." } }));

    const patches = calls.filter((call) => call.method === "PATCH");
    expect(patches.map((call) => [bearer(call), call.body])).toEqual([
      ["Bearer A1", { name: "Ada L." }],
      ["Bearer A2", { name: "Ada L." }],
    ]);
  });

  it("uses a token another tab already refreshed instead of spending the refresh token again", async () => {
    signIn(SHOPPER, { access: "A1", refresh: "R1" });
    // The other tab wrote its fresh session to the shared storage; no storage event has arrived yet.
    localStorage.setItem(SESSION_KEY, JSON.stringify(fromTokenPair(tokenPair(SHOPPER, { access: "B2", refresh: "S2" }))));
    const calls = fakeApi({
      "GET /api/auth/me": (call) => (bearer(call) === "Bearer A1" ? EXPIRED_TOKEN() : json(SHOPPER)),
    });

    await me();

    expect(refreshes(calls)).toHaveLength(0);
    expect(calls.map(bearer)).toEqual(["Bearer A1", "Bearer B2"]);
  });
});

describe("the end of a session", () => {
  /** Every call of the signed-in user is refused for an expired token; `refresh` answers the refresh. */
  function expiredSession(refresh: Routes[string]): Call[] {
    signIn(SHOPPER, { access: "A1", refresh: "R1" });
    return fakeApi({ "POST /api/auth/refresh": refresh, "GET /api/auth/me": EXPIRED_TOKEN });
  }

  it("clears the session and tells subscribers it expired when the refresh is refused", async () => {
    const calls = expiredSession(() =>
      problem(401, "The refresh token is invalid, expired or already used.", { code: "invalid_refresh_token" }),
    );
    const ends: (SessionEnd | undefined)[] = [];
    const unsubscribe = session.subscribe((current, reason) => {
      if (!current) ends.push(reason);
    });

    const failure = await me().catch((error: unknown) => error);
    unsubscribe();

    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(401);
    expect(refreshes(calls)).toHaveLength(1);
    expect(session.get()).toBeNull();
    expect(localStorage.getItem(SESSION_KEY)).toBeNull();
    expect(ends).toEqual(["expired"]);
  });

  it("keeps the session when the refresh cannot reach the shop, and the call fails with status 0", async () => {
    expiredSession(() => {
      throw new TypeError("Failed to fetch");
    });
    const ends: (SessionEnd | undefined)[] = [];
    const unsubscribe = session.subscribe((_, reason) => ends.push(reason));

    const failure = await me().catch((error: unknown) => error);
    unsubscribe();

    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(0);
    expect(describeError(failure)).toMatch(/cannot be reached/);
    expect(session.get()).toMatchObject({ accessToken: "A1", refreshToken: "R1" });
    expect(ends).toEqual([]);
  });

  it("stays signed out when the user signs out while a refresh is on its way", async () => {
    const refreshAnswered = gate();
    const refreshSent = gate();
    expiredSession(async () => {
      refreshSent.open();
      await refreshAnswered.opened;
      return refreshed("A2", "R2");
    });

    const call = me().catch((error: unknown) => error);
    await refreshSent.opened;
    session.clear("logout");
    refreshAnswered.open();
    const failure = await call;

    expect(failure).toBeInstanceOf(ApiError);
    expect(session.get()).toBeNull();
    expect(localStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it.each(["/api/auth/login", "/api/auth/register"] as const)(
    "never refreshes on a 401 from %s: it means wrong credentials",
    async (path) => {
      signIn(SHOPPER, { access: "A1", refresh: "R1" });
      const calls = fakeApi({
        [`POST ${path}`]: () => problem(401, "The email or password is incorrect.", { code: "invalid_credentials" }),
      });
      const body = { email: "ada@example.com", password: "wrong-password", name: "Ada" };
      const call =
        path === "/api/auth/login"
          ? api.users.POST(path, { body: { email: body.email, password: body.password } })
          : api.users.POST(path, { body });

      const failure = await unwrap(call).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(ApiError);
      expect((failure as ApiError).code).toBe("invalid_credentials");
      expect(calls.map((request) => request.path)).toEqual([path]);
      expect(session.get()).toMatchObject({ accessToken: "A1" });
    },
  );
});

describe("errors", () => {
  it("turn problem details into an ApiError with status, code, message and field errors", async () => {
    fakeApi({
      "POST /api/orders": () =>
        problem(422, "The request is not valid.", {
          code: "validation_error",
          errors: [
            { field: "shipping_address.city", message: "Field required" },
            { field: "body.shipping_address.postal_code", message: "String should have at most 20 characters" },
            { field: "shipping_address.city", message: "A second message about the city" },
            { field: "items.0.quantity", message: "Input should be greater than or equal to 1" },
          ],
        }),
    });

    const failure = await unwrap(
      api.orders.POST("/api/orders", {
        body: {
          items: [{ product_id: "p1", quantity: 0 }],
          shipping_address: { name: "Ada", line1: "1 Road", city: "", postal_code: "x", country: "GB" },
        },
      }),
    ).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApiError);
    const error = failure as ApiError;
    expect(error.status).toBe(422);
    expect(error.code).toBe("validation_error");
    expect(error.userMessage).toBe("The request is not valid.");
    expect(error.fieldErrors).toHaveLength(4);
    expect(fieldMessages(error, "shipping_address")).toEqual({
      city: "Field required",
      postal_code: "String should have at most 20 characters",
    });
    expect(fieldMessages(error)).toMatchObject({ "items.0.quantity": "Input should be greater than or equal to 1" });
    expect(fieldMessages(new Error("not from the API"), "shipping_address")).toEqual({});
  });

  it("give a plain sentence for a 502 whose body is an HTML page", async () => {
    fakeApi({
      "GET /api/categories": () =>
        new Response("<html><body><h1>502 Bad Gateway</h1></body></html>", {
          status: 502,
          headers: { "Content-Type": "text/html" },
        }),
    });

    const failure = await unwrap(api.products.GET("/api/categories")).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(502);
    const message = describeError(failure);
    expect(message).toMatch(/try again/i);
    expect(message).not.toMatch(/<|html|undefined/i);
  });

  it("say the shop cannot be reached when the network fails (status 0)", async () => {
    fakeApi({
      "GET /api/categories": () => {
        throw new TypeError("Failed to fetch");
      },
    });

    const failure = await unwrap(api.products.GET("/api/categories")).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(0);
    expect(describeError(failure)).toBe("The shop cannot be reached. Check your connection and try again.");
  });

  it("carry the wait of a 429's Retry-After header", async () => {
    fakeApi({
      "POST /api/auth/login": () =>
        problem(429, "Too many failed sign-in attempts; retry later.", { code: "login_throttled" }, { "Retry-After": "840" }),
    });

    const failure = await unwrap(
      api.users.POST("/api/auth/login", { body: { email: "ada@example.com", password: "x" } }),
    ).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).retryAfter).toBe(840);
    expect((failure as ApiError).userMessage).toBe("Too many failed sign-in attempts; retry later.");
  });
});
