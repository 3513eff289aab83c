/** After "Place order": the order's outcome. Paid: a thank-you. Declined or unpaid: why, and a
 * form to pay again that updates the page in place. Still being finished by the system: a calm
 * wait while the page asks again every two seconds. */

import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError, describeError } from "../api/problem";
import type { Order } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { useCart } from "../cart/CartContext";
import { outcomeUnknown, useIdempotencyKeys } from "../checkout/idempotency";
import { ItemsAndAddress } from "../checkout/OrderParts";
import { PaymentMethodChoice } from "../checkout/PaymentMethodChoice";
import { DEFAULT_PAYMENT_METHOD, failureWording, type PaymentMethodId } from "../checkout/paymentMethods";
import { ErrorState, Loading, Notice } from "../components/Status";
import { formatPrice } from "../format/money";
import { usePageTitle } from "../hooks/usePageTitle";
import "../styles/shopping.css";

/** How long an order may take to appear, or a payment to be confirmed, before the page stops
 * asking on its own (the system finishes a checkout within about 35 seconds). */
export const WAIT_MS = 40_000;
export const POLL_MS = 2_000;

/** What the checkout page passes along when the order is still being finished. */
interface OutcomeState {
  awaitOrder?: boolean;
  clearCart?: string[];
}

type Phase = "loading" | "waiting" | "ready" | "missing" | "timeout" | "error";

function getOrder(orderId: string, signal?: AbortSignal): Promise<Order> {
  return unwrap(api.orders.GET("/api/orders/{order_id}", { params: { path: { order_id: orderId } }, signal }));
}

/** A payment went through but the order does not say so yet. */
function confirming(order: Order): boolean {
  return order.status === "pending" && order.payment?.status === "succeeded";
}

export function CheckoutOutcomePage() {
  const { orderId = "" } = useParams();
  return <Outcome key={orderId} orderId={orderId} />;
}

function Outcome({ orderId }: { orderId: string }) {
  const location = useLocation();
  const navigate = useNavigate();
  const { remove } = useCart();
  // Read once: the state is dropped from the history entry after the cart is cleared.
  const [passed] = useState(() => (location.state ?? {}) as OutcomeState);
  const awaitOrder = passed.awaitOrder === true;
  const cartCleared = useRef(false);
  const [order, setOrder] = useState<Order | null>(null);
  const [phase, setPhase] = useState<Phase>("loading");
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [announce, setAnnounce] = useState(false);

  usePageTitle(order ? `Order ${order.order_number}` : "Your order");

  // Load the order; while it is not there yet (or its payment not confirmed), ask again.
  useEffect(() => {
    const controller = new AbortController();
    const started = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const later = () => {
      timer = setTimeout(() => void attempt(), POLL_MS);
    };
    const attempt = async () => {
      try {
        const found = await getOrder(orderId, controller.signal);
        if (controller.signal.aborted) return;
        setOrder(found);
        setPhase("ready");
        if (confirming(found) && Date.now() - started < WAIT_MS) later();
      } catch (failure) {
        if (controller.signal.aborted) return;
        const notYet = failure instanceof ApiError && (failure.status === 409 || (failure.status === 404 && awaitOrder));
        if (notYet) {
          if (Date.now() - started < WAIT_MS) {
            setPhase("waiting");
            later();
          } else {
            setPhase("timeout");
          }
          return;
        }
        setError(failure);
        setPhase(failure instanceof ApiError && failure.status === 404 ? "missing" : "error");
      }
    };
    void attempt();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [orderId, awaitOrder, generation]);

  // The order arrived after an unfinished checkout: its lines leave the cart now, once.
  useEffect(() => {
    if (!order || !passed.clearCart || cartCleared.current) return;
    cartCleared.current = true;
    if (order.status !== "cancelled") for (const productId of passed.clearCart) remove(productId);
    navigate(location.pathname, { replace: true, state: null });
  }, [order, passed.clearCart, remove, navigate, location.pathname]);

  useEffect(() => {
    if (announce) {
      headingRef.current?.focus();
      setAnnounce(false);
    }
  }, [announce]);

  const reload = useCallback(() => {
    setPhase((current) => (current === "ready" ? current : "loading"));
    setGeneration((value) => value + 1);
  }, []);

  const paid = useCallback((fresh: Order) => {
    setOrder(fresh);
    setAnnounce(true);
    if (confirming(fresh)) setGeneration((value) => value + 1);
  }, []);

  if (phase === "ready" && order) {
    return <OrderOutcome order={order} headingRef={headingRef} onPaid={paid} onReload={reload} />;
  }
  if (phase === "waiting") {
    return (
      <section className="page narrow outcome">
        <h1>Finishing your order</h1>
        <Loading label="We are finishing your order. This can take up to half a minute; this page updates by itself." />
      </section>
    );
  }
  if (phase === "timeout") {
    return (
      <section className="page narrow outcome">
        <h1>Your order is taking longer than usual</h1>
        <p>
          The shop has not finished your order yet. It is completed, or undone, automatically: you will not be charged
          for an order that was not placed.
        </p>
        <div className="form-actions">
          <button type="button" className="button" onClick={reload}>
            Check again
          </button>
          <Link to="/orders">Go to your orders</Link>
        </div>
      </section>
    );
  }
  if (phase === "missing") {
    return (
      <section className="page narrow outcome">
        <h1>Order not found</h1>
        <p>There is no such order in your account.</p>
        <Link to="/orders">Go to your orders</Link>
      </section>
    );
  }
  if (phase === "error") {
    return (
      <section className="page narrow outcome">
        <h1>Your order</h1>
        <ErrorState error={error} title="Your order could not be loaded." onRetry={reload} />
      </section>
    );
  }
  return (
    <section className="page narrow outcome">
      <h1>Your order</h1>
      <Loading label="Loading your order…" />
    </section>
  );
}

function OrderOutcome({ order, headingRef, onPaid, onReload }: {
  order: Order;
  headingRef: RefObject<HTMLHeadingElement | null>;
  onPaid: (order: Order) => void;
  onReload: () => void;
}) {
  const { user } = useAuth();
  const total = formatPrice(order.total_amount, order.currency);

  if (order.status === "cancelled") {
    const last = order.status_history[order.status_history.length - 1];
    return (
      <section className="page outcome">
        <h1 ref={headingRef} tabIndex={-1}>
          Order {order.order_number} was cancelled
        </h1>
        {last?.note && <p>{last.note}</p>}
        <p>Its items went back on sale. If anything was charged, it is refunded in full.</p>
        <div className="form-actions">
          <Link to="/products" className="button">
            Continue shopping
          </Link>
          <Link to={`/orders/${order.id}`}>View the order</Link>
        </div>
        <ItemsAndAddress order={order} />
      </section>
    );
  }

  if (order.status !== "pending" || confirming(order)) {
    const heading =
      order.status === "pending" ? `Confirming the payment of order ${order.order_number}…` : order.status === "paid"
        ? `Thank you! Order ${order.order_number} is paid`
        : `Thank you! Order ${order.order_number} is ${order.status}`;
    return (
      <section className="page outcome">
        <div className="outcome-banner outcome-success">
          <h1 ref={headingRef} tabIndex={-1}>
            {heading}
          </h1>
          <p>
            We received your payment of <strong>{total}</strong>. A confirmation email is on its way
            {user ? ` to ${user.email}` : ""}.
          </p>
        </div>
        <div className="form-actions">
          <Link to={`/orders/${order.id}`} className="button">
            View your order
          </Link>
          <Link to="/products">Continue shopping</Link>
        </div>
        <ItemsAndAddress order={order} />
      </section>
    );
  }

  const failed = order.payment?.status === "failed";
  const wording = failureWording(order.payment?.failure_code);
  return (
    <section className="page outcome">
      <div className={`outcome-banner ${failed ? "outcome-failed" : "outcome-pending"}`}>
        <h1 ref={headingRef} tabIndex={-1}>
          {failed ? wording.title : "Complete your payment"}
        </h1>
        {failed ? (
          <p>
            {wording.explanation} Nothing was charged. Your order {order.order_number} is saved and waits for payment.
          </p>
        ) : (
          <p>Your order {order.order_number} is placed and waits for payment.</p>
        )}
        <p>We hold its items for you for a limited time; an order left unpaid is cancelled and its items go back on sale.</p>
      </div>
      <PayForm order={order} onPaid={onPaid} onReload={onReload} />
      <ItemsAndAddress order={order} />
    </section>
  );
}

function PayForm({ order, onPaid, onReload }: { order: Order; onPaid: (order: Order) => void; onReload: () => void }) {
  const keys = useIdempotencyKeys();
  const [method, setMethod] = useState<PaymentMethodId>(DEFAULT_PAYMENT_METHOD);
  const [paying, setPaying] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const total = formatPrice(order.total_amount, order.currency);

  const pay = async () => {
    if (paying) return;
    const key = keys.keyFor(`${order.id}|${method}`);
    setPaying(true);
    setFailure(null);
    try {
      await unwrap(
        api.payments.POST("/api/payments", {
          params: { header: { "Idempotency-Key": key } },
          body: { order_id: order.id, payment_method: method },
        }),
      );
      keys.settle();
    } catch (error) {
      if (!outcomeUnknown(error)) keys.settle();
      // Paid or cancelled meanwhile (another tab, the lapse of the hold): the order says which.
      const settled = error instanceof ApiError && error.status === 409 && error.code !== "idempotency_in_flight" && error.code !== "order_busy";
      if (!settled) {
        setFailure(error);
        setPaying(false);
        return;
      }
    }
    try {
      onPaid(await getOrder(order.id));
    } catch (error) {
      setFailure(error);
      onReload();
    }
    setPaying(false);
  };

  const unknown = failure !== null && outcomeUnknown(failure);
  return (
    <form
      className="card pay-form"
      aria-labelledby="pay-title"
      onSubmit={(event) => {
        event.preventDefault();
        void pay();
      }}
    >
      <h2 id="pay-title">Pay for your order</h2>
      {failure !== null && (
        <Notice kind="error">
          <p>{describeError(failure)}</p>
          {unknown && <p>Pressing the pay button again is safe: you will never be charged twice.</p>}
        </Notice>
      )}
      <PaymentMethodChoice value={method} onChange={setMethod} disabled={paying} legend="Choose a card" />
      <div className="form-actions">
        <button type="submit" className="button" disabled={paying}>
          {paying ? "Paying…" : `Pay ${total}`}
        </button>
        <Link to={`/orders/${order.id}`}>View the order</Link>
      </div>
      {paying && (
        <p className="visually-hidden" role="status">
          Sending your payment…
        </p>
      )}
    </form>
  );
}
