/** The cart: its lines with quantities and totals, checked against the catalog each time it is
 * shown, so the shopper learns of a removed product, a new price or low stock before paying. */

import { useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import type { Product } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { useCart } from "../cart/CartContext";
import { MAX_QUANTITY, type CartLine } from "../cart/storage";
import { Price } from "../components/Price";
import { productImageSrc } from "../components/ProductCard";
import { EmptyState, Loading, Notice } from "../components/Status";
import { formatPrice, multiplyPrice } from "../format/money";
import { usePageTitle } from "../hooks/usePageTitle";
import "../styles/shopping.css";

/** Something about a line that changed since it was put in the cart. */
type CartChange =
  | { kind: "removed"; name: string }
  | { kind: "price"; name: string; before: string; after: string; currency: string }
  | { kind: "reduced"; name: string; available: number }
  | { kind: "sold_out"; name: string };

function changeText(change: CartChange): string {
  switch (change.kind) {
    case "removed":
      return `${change.name} is no longer available and was removed from your cart.`;
    case "price":
      return `The price of ${change.name} changed from ${formatPrice(change.before, change.currency)} to ${formatPrice(change.after, change.currency)}.`;
    case "reduced":
      return `Only ${change.available} of ${change.name} left: your quantity was reduced to ${change.available}.`;
    case "sold_out":
      return `${change.name} is sold out.`;
  }
}

/** The current product of each line: null when it is gone; absent when it could not be read. */
async function readProducts(lines: CartLine[], signal: AbortSignal): Promise<Map<string, Product | null>> {
  const found = new Map<string, Product | null>();
  await Promise.all(
    lines.map(async (line) => {
      try {
        const product = await unwrap(
          api.products.GET("/api/products/{product_id}", { params: { path: { product_id: line.productId } }, signal }),
        );
        found.set(line.productId, product);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) found.set(line.productId, null);
        else if (signal.aborted) throw error;
        // Any other failure leaves the line as it was; the page says prices are unconfirmed.
      }
    }),
  );
  return found;
}

function changesBetween(lines: CartLine[], products: Map<string, Product | null>): CartChange[] {
  const changes: CartChange[] = [];
  for (const line of lines) {
    if (!products.has(line.productId)) continue;
    const product = products.get(line.productId);
    if (!product || !product.is_active) {
      changes.push({ kind: "removed", name: line.name });
      continue;
    }
    if (Number(product.price) !== Number(line.price)) {
      changes.push({ kind: "price", name: product.name, before: line.price, after: product.price, currency: product.currency });
    }
    if (product.stock <= 0) changes.push({ kind: "sold_out", name: product.name });
    else if (line.quantity > product.stock) changes.push({ kind: "reduced", name: product.name, available: product.stock });
  }
  return changes;
}

type Check = "checking" | "done" | "partial";

function QuantityInput({ line, onChange }: { line: CartLine; onChange: (quantity: number) => void }) {
  const id = useId();
  const max = Math.max(1, Math.min(line.stock, MAX_QUANTITY));
  // What the shopper is typing while it is not a quantity yet (an emptied field); otherwise
  // the field shows the cart's quantity.
  const [draft, setDraft] = useState<string | null>(null);
  const [capped, setCapped] = useState(false);

  return (
    <div className="cart-quantity">
      <label htmlFor={id}>
        Quantity <span className="visually-hidden">of {line.name}</span>
      </label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        max={max}
        step={1}
        value={draft ?? String(line.quantity)}
        aria-describedby={capped ? `${id}-cap` : undefined}
        onChange={(event) => {
          const value = event.target.value;
          const quantity = Number(value);
          if (value === "" || !Number.isInteger(quantity) || quantity < 1) {
            setDraft(value);
            return;
          }
          setCapped(quantity > max);
          setDraft(null);
          onChange(Math.min(quantity, max));
        }}
        onBlur={() => setDraft(null)}
      />
      {capped && (
        <span id={`${id}-cap`} className="field-hint">
          {max < MAX_QUANTITY ? `Only ${max} in stock.` : `At most ${MAX_QUANTITY} per order.`}
        </span>
      )}
    </div>
  );
}

/** The product's picture, decorative beside its name; a plain tile when there is none or it
 * does not load. */
function LineImage({ line }: { line: CartLine }) {
  const src = productImageSrc(line.imageUrl);
  const [failed, setFailed] = useState(false);
  if (!src || failed) {
    return (
      <span className="cart-line-image placeholder" aria-hidden="true">
        {line.name.trim().charAt(0).toUpperCase()}
      </span>
    );
  }
  return (
    <img
      className="cart-line-image"
      src={src}
      alt=""
      width={96}
      height={96}
      loading="lazy"
      onError={() => setFailed(true)}
    />
  );
}

function CartLineItem({ line, onQuantity, onRemove }: {
  line: CartLine;
  onQuantity: (quantity: number) => void;
  onRemove: () => void;
}) {
  const soldOut = line.stock <= 0;
  return (
    <li className="cart-line">
      <LineImage line={line} />
      <div className="cart-line-main">
        <Link to={`/products/${line.productId}`} className="cart-line-name">
          {line.name}
        </Link>
        <span className="muted">
          <Price amount={line.price} currency={line.currency} /> each
        </span>
        {soldOut ? (
          <span className="cart-line-warning">Sold out</span>
        ) : line.stock <= 5 ? (
          <span className="muted">Only {line.stock} left</span>
        ) : null}
      </div>
      <div className="cart-line-controls">
        {!soldOut && <QuantityInput line={line} onChange={onQuantity} />}
        <p className="cart-line-total">
          <span className="visually-hidden">Line total: </span>
          <Price amount={multiplyPrice(line.price, line.quantity)} currency={line.currency} />
        </p>
        <button type="button" className="button secondary small" onClick={onRemove}>
          Remove <span className="visually-hidden">{line.name}</span>
        </button>
      </div>
    </li>
  );
}

export function CartPage() {
  usePageTitle("Cart");
  const { user } = useAuth();
  const { lines, count, subtotal, currency, setQuantity, remove, refresh } = useCart();
  const [check, setCheck] = useState<Check>(() => (lines.length > 0 ? "checking" : "done"));
  const [changes, setChanges] = useState<CartChange[]>([]);
  const linesNow = useRef(lines);
  linesNow.current = lines;

  // Once per visit: the catalog's current name, price and stock for every line.
  useEffect(() => {
    const snapshot = linesNow.current;
    if (snapshot.length === 0) {
      setCheck("done");
      return;
    }
    const controller = new AbortController();
    setCheck("checking");
    readProducts(snapshot, controller.signal).then(
      (products) => {
        if (controller.signal.aborted) return;
        setChanges(changesBetween(snapshot, products));
        refresh(products);
        for (const line of snapshot) {
          const product = products.get(line.productId);
          if (product && product.stock > 0 && line.quantity > product.stock) setQuantity(line.productId, product.stock);
        }
        setCheck(products.size < snapshot.length ? "partial" : "done");
      },
      () => undefined,
    );
    return () => controller.abort();
  }, [refresh, setQuantity]);

  const soldOut = lines.filter((line) => line.stock <= 0);

  return (
    <section className="page cart-page" aria-labelledby="cart-title">
      <h1 id="cart-title">Your cart</h1>
      {changes.length > 0 && (
        <Notice kind="info">
          <p className="notice-title">Your cart was updated with the shop&apos;s latest details:</p>
          <ul>
            {changes.map((change, index) => (
              <li key={index}>{changeText(change)}</li>
            ))}
          </ul>
        </Notice>
      )}
      {check === "partial" && (
        <Notice kind="info">Some prices could not be confirmed just now. They are checked again when you order.</Notice>
      )}
      {lines.length === 0 ? (
        check === "checking" ? (
          <Loading label="Checking your cart…" />
        ) : (
          <EmptyState title="Your cart is empty">
            <p>Find something you like in the shop.</p>
            <Link to="/products" className="button">
              Browse the shop
            </Link>
          </EmptyState>
        )
      ) : (
        <div className="cart-layout">
          <ul className="cart-lines" aria-label="Items in your cart">
            {lines.map((line) => (
              <CartLineItem
                key={line.productId}
                line={line}
                onQuantity={(quantity) => setQuantity(line.productId, quantity)}
                onRemove={() => remove(line.productId)}
              />
            ))}
          </ul>
          <aside className="card cart-summary" aria-labelledby="cart-summary-title">
            <h2 id="cart-summary-title">Summary</h2>
            <dl className="totals">
              <div>
                <dt>
                  Subtotal ({count} {count === 1 ? "item" : "items"})
                </dt>
                <dd>
                  <Price amount={subtotal} currency={currency} />
                </dd>
              </div>
            </dl>
            {check === "checking" && <p className="muted">Checking prices and stock…</p>}
            {soldOut.length > 0 ? (
              <p className="cart-line-warning">Remove the sold-out items to check out.</p>
            ) : (
              <Link to="/checkout" className="button checkout-button">
                Checkout
              </Link>
            )}
            {!user && <p className="muted">You will sign in or create an account before paying.</p>}
            <p>
              <Link to="/products">Continue shopping</Link>
            </p>
          </aside>
        </div>
      )}
    </section>
  );
}
