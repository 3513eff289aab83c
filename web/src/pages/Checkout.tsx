/** Checkout: the cart's summary, a shipping address and a test payment method; placing the
 * order reserves the stock and charges the card in one request, safe to press again. */

import { useEffect, useRef, useState, type FormEvent, type RefObject } from "react";
import { Link, useNavigate } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError, fieldMessages } from "../api/problem";
import type { ShippingAddress, User } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { useCart } from "../cart/CartContext";
import type { CartLine } from "../cart/storage";
import { outcomeUnknown, useIdempotencyKeys } from "../checkout/idempotency";
import { PaymentMethodChoice } from "../checkout/PaymentMethodChoice";
import { DEFAULT_PAYMENT_METHOD, type PaymentMethodId } from "../checkout/paymentMethods";
import { TextField } from "../components/Field";
import { Price } from "../components/Price";
import { EmptyState, Notice } from "../components/Status";
import { multiplyPrice } from "../format/money";
import { usePageTitle } from "../hooks/usePageTitle";
import "../styles/shopping.css";

type AddressField = "name" | "line1" | "line2" | "city" | "postal_code" | "country";
type AddressForm = Record<AddressField, string>;

const FIELDS: { key: AddressField; label: string; autoComplete: string; maxLength: number; optional?: boolean }[] = [
  { key: "name", label: "Full name", autoComplete: "shipping name", maxLength: 100 },
  { key: "line1", label: "Address", autoComplete: "shipping address-line1", maxLength: 200 },
  { key: "line2", label: "Apartment, suite, etc. (optional)", autoComplete: "shipping address-line2", maxLength: 200, optional: true },
  { key: "city", label: "City", autoComplete: "shipping address-level2", maxLength: 100 },
  { key: "postal_code", label: "Postal code", autoComplete: "shipping postal-code", maxLength: 20 },
  { key: "country", label: "Country", autoComplete: "shipping country-name", maxLength: 56 },
];

/** A line the catalog could not fill: `problem.short` of a 409 `insufficient_stock`. */
interface ShortLine {
  product_id: string;
  requested: number;
  available: number;
}

function fieldId(key: AddressField): string {
  return `shipping-${key.replace("_", "-")}`;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function initialAddress(user: User | null): AddressForm {
  const saved = user?.profile?.address ?? {};
  return {
    name: user?.name ?? "",
    line1: text(saved.line1),
    line2: text(saved.line2),
    city: text(saved.city),
    postal_code: text(saved.postal_code),
    country: text(saved.country),
  };
}

function shippingAddress(form: AddressForm): ShippingAddress {
  return {
    name: form.name.trim(),
    line1: form.line1.trim(),
    line2: form.line2.trim() || null,
    city: form.city.trim(),
    postal_code: form.postal_code.trim(),
    country: form.country.trim(),
  };
}

/** The validator's stock phrases as a shopper would say them; anything else as it came. */
function fieldWording(message: string): string {
  if (/^field required$/i.test(message)) return "This field is required.";
  const atLeast = /^string should have at least (\d+) characters?$/i.exec(message);
  if (atLeast) return atLeast[1] === "1" ? "This field is required." : `Enter at least ${atLeast[1]} characters.`;
  const atMost = /^string should have at most (\d+) characters?$/i.exec(message);
  if (atMost) return `Use at most ${atMost[1]} characters.`;
  return message;
}

function shortLinesOf(error: ApiError): ShortLine[] {
  const short = error.problem.short;
  if (!Array.isArray(short)) return [];
  return short.filter(
    (line): line is ShortLine =>
      !!line && typeof line === "object" && typeof (line as ShortLine).product_id === "string" && typeof (line as ShortLine).available === "number",
  );
}

function OrderSummary({ lines, subtotal, currency }: { lines: CartLine[]; subtotal: string; currency: string }) {
  return (
    <aside className="card order-summary" aria-labelledby="summary-title">
      <h2 id="summary-title">Order summary</h2>
      <ul className="summary-lines">
        {lines.map((line) => (
          <li key={line.productId}>
            <span>
              {line.name} <span className="muted">× {line.quantity}</span>
            </span>
            <Price amount={multiplyPrice(line.price, line.quantity)} currency={line.currency} />
          </li>
        ))}
      </ul>
      <dl className="totals">
        <div>
          <dt>Total</dt>
          <dd>
            <Price amount={subtotal} currency={currency} />
          </dd>
        </div>
      </dl>
      <p className="muted">Prices are confirmed from the catalog when you place the order.</p>
      <p>
        <Link to="/cart">Edit your cart</Link>
      </p>
    </aside>
  );
}

export function CheckoutPage() {
  usePageTitle("Checkout");
  const { user } = useAuth();
  const { lines, subtotal, currency, remove, setQuantity } = useCart();
  const navigate = useNavigate();
  const keys = useIdempotencyKeys();
  const [form, setForm] = useState<AddressForm>(() => initialAddress(user));
  const [method, setMethod] = useState<PaymentMethodId>(DEFAULT_PAYMENT_METHOD);
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<ApiError | Error | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<AddressField, string>>>({});
  const [adjusted, setAdjusted] = useState(false);
  const alertRef = useRef<HTMLDivElement>(null);

  // A failed attempt's summary takes the focus, so it is read out and the fields follow it.
  useEffect(() => {
    if (failure) alertRef.current?.focus();
  }, [failure]);

  if (lines.length === 0) {
    return (
      <section className="page checkout-page">
        <h1>Checkout</h1>
        {adjusted && <Notice kind="info">Nothing in your order is in stock any more, so your cart is empty now.</Notice>}
        <EmptyState title="Your cart is empty">
          <p>Add something to your cart before checking out.</p>
          <Link to="/products" className="button">
            Browse the shop
          </Link>
        </EmptyState>
      </section>
    );
  }

  const edit = (key: AddressField, value: string) => {
    setForm((current) => ({ ...current, [key]: value }));
    setFieldErrors((current) => {
      if (!current[key]) return current;
      const { [key]: _cleared, ...rest } = current;
      return rest;
    });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (sending) return;
    const body = {
      items: lines.map((line) => ({ product_id: line.productId, quantity: line.quantity })),
      shipping_address: shippingAddress(form),
      payment_method: method,
    };
    const key = keys.keyFor(JSON.stringify(body));
    setSending(true);
    setFailure(null);
    setAdjusted(false);
    try {
      const order = await unwrap(api.orders.POST("/api/orders", { body, headers: { "Idempotency-Key": key } }));
      keys.settle();
      for (const item of body.items) remove(item.product_id);
      navigate(`/checkout/${order.id}`, { replace: true });
      return;
    } catch (error) {
      if (!outcomeUnknown(error)) keys.settle();
      const orderId = error instanceof ApiError ? error.problem.order_id : undefined;
      if (error instanceof ApiError && error.code === "checkout_incomplete" && typeof orderId === "string") {
        // The order exists and the system finishes it: wait for it on the outcome page.
        navigate(`/checkout/${orderId}`, {
          replace: true,
          state: { awaitOrder: true, clearCart: body.items.map((item) => item.product_id) },
        });
        return;
      }
      const messages = fieldMessages(error, "shipping_address");
      setFieldErrors(
        Object.fromEntries(
          FIELDS.filter(({ key: field }) => messages[field]).map(({ key: field }) => [field, fieldWording(messages[field] ?? "")]),
        ),
      );
      setFailure(error instanceof Error ? error : new Error(String(error)));
    }
    setSending(false);
  };

  const adjustCart = (short: ShortLine[]) => {
    for (const line of short) setQuantity(line.product_id, line.available);
    setFailure(null);
    setAdjusted(true);
  };

  return (
    <section className="page checkout-page">
      <h1>Checkout</h1>
      <FailureSummary
        failure={failure}
        fieldErrors={fieldErrors}
        lines={lines}
        alertRef={alertRef}
        onAdjust={adjustCart}
      />
      {adjusted && (
        <Notice kind="info">
          Your cart now matches the stock available. Check the summary and place your order again.
        </Notice>
      )}
      <div className="checkout-layout">
        <form className="checkout-form" onSubmit={(event) => void submit(event)} noValidate aria-label="Checkout">
          <fieldset disabled={sending}>
            <legend>Shipping address</legend>
            {FIELDS.map((field) => (
              <TextField
                key={field.key}
                id={fieldId(field.key)}
                label={field.label}
                name={field.key}
                autoComplete={field.autoComplete}
                maxLength={field.maxLength}
                required={!field.optional}
                value={form[field.key]}
                error={fieldErrors[field.key]}
                onChange={(event) => edit(field.key, event.target.value)}
              />
            ))}
          </fieldset>
          <PaymentMethodChoice value={method} onChange={setMethod} disabled={sending} />
          <div className="form-actions">
            <button type="submit" className="button place-order" disabled={sending}>
              {sending ? "Placing your order…" : "Place order"}
            </button>
            <span className="muted">
              Total <Price amount={subtotal} currency={currency} />
            </span>
          </div>
          {sending && (
            <p className="visually-hidden" role="status">
              Placing your order…
            </p>
          )}
        </form>
        <OrderSummary lines={lines} subtotal={subtotal} currency={currency} />
      </div>
    </section>
  );
}

function FailureSummary({ failure, fieldErrors, lines, alertRef, onAdjust }: {
  failure: ApiError | Error | null;
  fieldErrors: Partial<Record<AddressField, string>>;
  lines: CartLine[];
  alertRef: RefObject<HTMLDivElement | null>;
  onAdjust: (short: ShortLine[]) => void;
}) {
  if (!failure) return null;
  const apiError = failure instanceof ApiError ? failure : null;
  const nameOf = (productId: string) => lines.find((line) => line.productId === productId)?.name ?? "A product";
  const short = apiError?.code === "insufficient_stock" ? shortLinesOf(apiError) : [];
  const invalid = FIELDS.filter((field) => fieldErrors[field.key]);
  // Errors about the order rather than the address (an unknown product, a bad quantity).
  const others = apiError && apiError.status === 422 ? apiError.fieldErrors.filter((e) => !e.field.includes("shipping_address")) : [];

  let body;
  if (apiError?.code === "insufficient_stock") {
    body = (
      <>
        <p className="notice-title">Some items are not available in the quantity you asked for:</p>
        {short.length > 0 && (
          <ul>
            {short.map((line) => (
              <li key={line.product_id}>
                {line.available > 0
                  ? `${nameOf(line.product_id)}: you asked for ${line.requested}, only ${line.available} left.`
                  : `${nameOf(line.product_id)}: sold out.`}
              </li>
            ))}
          </ul>
        )}
        <div className="form-actions">
          {short.length > 0 && (
            <button type="button" className="button small" onClick={() => onAdjust(short)}>
              Adjust my cart to what is available
            </button>
          )}
          <Link to="/cart">Review your cart</Link>
        </div>
      </>
    );
  } else if (apiError?.status === 422 && (invalid.length > 0 || others.length > 0)) {
    body = (
      <>
        <p className="notice-title">Please check your order:</p>
        <ul>
          {invalid.map((field) => (
            <li key={field.key}>
              <a
                href={`#${fieldId(field.key)}`}
                onClick={(event) => {
                  event.preventDefault();
                  document.getElementById(fieldId(field.key))?.focus();
                }}
              >
                {field.label.replace(" (optional)", "")}
              </a>
              : {fieldErrors[field.key]}
            </li>
          ))}
          {others.map((error, index) => (
            <li key={`${error.field}-${index}`}>{fieldWording(error.message)}</li>
          ))}
        </ul>
      </>
    );
  } else {
    const unknown = failure instanceof ApiError && outcomeUnknown(failure);
    body = (
      <>
        <p className="notice-title">Your order was not placed.</p>
        <p>{failure instanceof ApiError ? failure.userMessage : failure.message}</p>
        {unknown && <p>Pressing “Place order” again is safe: you will never be charged twice.</p>}
      </>
    );
  }
  return (
    <div ref={alertRef} className="notice notice-error checkout-alert" role="alert" tabIndex={-1}>
      {body}
    </div>
  );
}
