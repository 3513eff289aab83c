/** One product: its picture, price, stock and description, and "Add to cart" with a quantity
 * that never asks for more than is left. */

import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import type { Product } from "../api/types";
import { useCart } from "../cart/CartContext";
import { MAX_QUANTITY } from "../cart/storage";
import { TextField } from "../components/Field";
import { Price } from "../components/Price";
import { ProductImage } from "../components/ProductCard";
import { ErrorState, Loading } from "../components/Status";
import { StockState } from "../components/StockState";
import { usePageTitle } from "../hooks/usePageTitle";
import { useResource } from "../hooks/useResource";
import "../styles/storefront.css";

const PRODUCT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 404 is a product that is gone; 422 an address that never named one (not a product id). */
class NoSuchProduct extends Error {}

function isGone(error: unknown): boolean {
  return error instanceof NoSuchProduct || (error instanceof ApiError && (error.status === 404 || error.status === 422));
}

export function ProductPage() {
  const { productId = "" } = useParams();
  const product = useResource(async (signal) => {
    // A mistyped address is answered here, without asking the shop for something it cannot hold.
    if (!PRODUCT_ID.test(productId)) throw new NoSuchProduct();
    return unwrap(api.products.GET("/api/products/{product_id}", { params: { path: { product_id: productId } }, signal }));
  }, [productId]);
  const gone = product.status === "error" && isGone(product.error);
  usePageTitle(
    product.status === "ready" ? product.data.name : gone ? "Product not available" : "Product",
  );

  // The product in view belongs to this address: a stale one from the previous address is not shown.
  const shown = product.data && product.data.id.toLowerCase() === productId.toLowerCase() ? product.data : null;
  if (product.status === "error" && gone) return <ProductGone />;
  // A failed reload of a product already shown keeps showing it; a first failure cannot.
  if (product.status === "error" && !shown) {
    return (
      <section className="page">
        <h1 className="visually-hidden">Product</h1>
        <ErrorState error={product.error} onRetry={product.reload} title="This product could not be loaded." />
      </section>
    );
  }
  if (!shown) {
    return (
      <section className="page">
        <h1 className="visually-hidden">Product</h1>
        <Loading label="Loading the product…" />
      </section>
    );
  }
  return <ProductDetails key={shown.id} product={shown} />;
}

function ProductGone() {
  return (
    <section className="page narrow product-gone">
      <h1>This product is no longer available</h1>
      <p>It may have sold out for good or been withdrawn from the shop. There is plenty more to see.</p>
      <p>
        <Link to="/products" className="button">
          Back to the shop
        </Link>
      </p>
    </section>
  );
}

function Breadcrumb({ product }: { product: Product }) {
  return (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <ol>
        <li>
          <Link to="/products">Shop</Link>
        </li>
        {product.category && (
          <li>
            <Link to={`/products?category=${encodeURIComponent(product.category.slug)}`}>{product.category.name}</Link>
          </li>
        )}
        <li>
          <span aria-current="page">{product.name}</span>
        </li>
      </ol>
    </nav>
  );
}

function ProductDetails({ product }: { product: Product }) {
  const paragraphs = product.description
    .split(/\n\s*\n/)
    .map((text) => text.trim())
    .filter(Boolean);
  return (
    <article className="page product-page">
      <Breadcrumb product={product} />
      <div className="product-layout">
        <ProductImage product={product} eager className="product-page-image" />
        <div className="product-summary">
          <h1>{product.name}</h1>
          <p className="product-page-price">
            <Price amount={product.price} currency={product.currency} />
          </p>
          <p>
            <StockState stock={product.stock} className="product-page-stock" />
          </p>
          <AddToCart product={product} />
          {paragraphs.length > 0 && (
            <div className="product-description">
              <h2 className="visually-hidden">Description</h2>
              {paragraphs.map((text, index) => (
                <p key={index}>{text}</p>
              ))}
            </div>
          )}
          <dl className="product-facts">
            {product.category && (
              <div>
                <dt>Category</dt>
                <dd>
                  <Link to={`/products?category=${encodeURIComponent(product.category.slug)}`}>
                    {product.category.name}
                  </Link>
                </dd>
              </div>
            )}
            <div>
              <dt>SKU</dt>
              <dd>{product.sku}</dd>
            </div>
          </dl>
        </div>
      </div>
    </article>
  );
}

type Outcome = { kind: "added"; wanted: number; added: number; total: number } | { kind: "full"; total: number };

function AddToCart({ product }: { product: Product }) {
  const { add, lines } = useCart();
  const [quantity, setQuantity] = useState("1");
  const [error, setError] = useState<string>();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const soldOut = product.stock <= 0;
  const most = Math.max(1, Math.min(product.stock, MAX_QUANTITY));
  const inCart = lines.find((line) => line.productId === product.id)?.quantity ?? 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const wanted = Number(quantity.trim());
    if (!/^\d+$/.test(quantity.trim()) || wanted < 1 || wanted > most) {
      setError(most === 1 ? "Only 1 is left: the quantity can only be 1." : `Enter a whole number from 1 to ${most}.`);
      setOutcome(null);
      return;
    }
    setError(undefined);
    const total = add(product, wanted);
    const added = total - inCart;
    setOutcome(added > 0 ? { kind: "added", wanted, added, total } : { kind: "full", total });
    setQuantity("1");
  };

  return (
    <form className="add-to-cart" onSubmit={submit} noValidate>
      <div className="add-to-cart-controls">
        <TextField
          label="Quantity"
          type="number"
          inputMode="numeric"
          min={1}
          max={most}
          step={1}
          value={quantity}
          disabled={soldOut}
          error={error}
          hint={inCart > 0 ? `You have ${inCart} in your cart.` : undefined}
          onChange={(event) => setQuantity(event.target.value)}
        />
        <button type="submit" className="button" disabled={soldOut}>
          Add to cart
        </button>
      </div>
      {soldOut && <p className="muted">This product is out of stock for now. Check back soon.</p>}
      <div role="status" aria-live="polite" className={outcome ? `notice notice-${outcome.kind === "added" ? "success" : "info"} add-to-cart-outcome` : undefined}>
        {outcome && (
          <>
            <OutcomeMessage outcome={outcome} /> <Link to="/cart">View your cart</Link>
          </>
        )}
      </div>
    </form>
  );
}

function OutcomeMessage({ outcome }: { outcome: Outcome }) {
  if (outcome.kind === "full") {
    return outcome.total >= MAX_QUANTITY ? (
      <>You already have {outcome.total} in your cart, the most one order can take.</>
    ) : (
      <>You already have all {outcome.total} available in your cart.</>
    );
  }
  const clamped = outcome.added < outcome.wanted;
  const limit = outcome.total >= MAX_QUANTITY ? ", the most one order can take" : ", all that is left";
  const all = outcome.total > outcome.added ? ` You now have ${outcome.total}.` : "";
  return (
    <>
      Added {outcome.added} to your cart{clamped ? limit : ""}.{all}
    </>
  );
}
