/** A product in a grid: picture, name (the link to its page), price, how many are left, and a
 * quick "Add to cart". Also the product picture itself, which the product page shares. */

import { useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router-dom";
import type { Product } from "../api/types";
import { useCart } from "../cart/CartContext";
import { apiUrl } from "../config";
import { Price } from "./Price";
import { StockState } from "./StockState";
import "../styles/storefront.css";

/** Where a product's picture loads from: the demo catalog's pictures are paths on the gateway
 * (`/api/products/images/...`), not on the storefront's own origin. */
export function productImageSrc(url: string | null | undefined): string | null {
  if (!url) return null;
  if (url.startsWith("/") && !url.startsWith("//")) return `${apiUrl()}${url}`;
  return /^https?:\/\//i.test(url) ? url : null;
}

/** The picture at a fixed aspect ratio; a placeholder with the same name when there is none or
 * it fails to load, so the grid never shows a broken image. */
export function ProductImage({ product, eager = false, className = "" }: {
  product: Pick<Product, "name" | "image_url">;
  eager?: boolean;
  className?: string;
}) {
  const src = productImageSrc(product.image_url);
  const [failed, setFailed] = useState<string | null>(null);
  const classes = `product-image${className ? ` ${className}` : ""}`;
  if (!src || failed === src) {
    return (
      <div className={`${classes} product-image-missing`} role="img" aria-label={product.name}>
        <span aria-hidden="true">{product.name.trim().charAt(0).toUpperCase() || "?"}</span>
      </div>
    );
  }
  return (
    <div className={classes}>
      <img
        src={src}
        alt={product.name}
        width={400}
        height={400}
        loading={eager ? "eager" : "lazy"}
        decoding="async"
        onError={() => setFailed(src)}
      />
    </div>
  );
}

const ADDED_MESSAGE_MS = 4000;

export function ProductCard({ product, headingLevel = 3 }: { product: Product; headingLevel?: 2 | 3 }) {
  const { add, lines } = useCart();
  const titleId = useId();
  const [message, setMessage] = useState("");
  const timer = useRef<number | undefined>(undefined);
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const soldOut = product.stock <= 0;

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const addOne = () => {
    const before = lines.find((line) => line.productId === product.id)?.quantity ?? 0;
    const after = add(product, 1);
    setMessage(after > before ? `Added (${after} in your cart)` : `All ${after} left are already in your cart`);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setMessage(""), ADDED_MESSAGE_MS);
  };

  return (
    <article className="product-card" aria-labelledby={titleId}>
      <ProductImage product={product} />
      <div className="product-card-body">
        {product.category && <p className="product-card-category">{product.category.name}</p>}
        <Heading id={titleId} className="product-card-title">
          <Link to={`/products/${product.id}`}>{product.name}</Link>
        </Heading>
        <div className="product-card-meta">
          <Price amount={product.price} currency={product.currency} />
          <StockState stock={product.stock} />
        </div>
        <button type="button" className="button product-card-add" disabled={soldOut} onClick={addOne}>
          Add to cart
        </button>
        <p className="product-card-added" role="status" aria-live="polite">
          {message}
        </p>
      </div>
    </article>
  );
}
