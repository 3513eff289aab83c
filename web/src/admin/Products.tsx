/** The catalog as an admin sees it: withdrawn products too, searchable, each editable or
 * deletable. The query string is the view (`?q=&category=&page=`). */

import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { describeError } from "../api/problem";
import { apiUrl } from "../config";
import type { Product } from "../api/types";
import { Pagination } from "../components/Pagination";
import { Price } from "../components/Price";
import { EmptyState, ErrorState, Loading } from "../components/Status";
import { useResource } from "../hooks/useResource";
import { usePageTitle } from "../hooks/usePageTitle";
import { ActionNotice, filtered, hrefWith, PageHeader, pageFrom, useSearchBox, type Flash } from "./shared";

const LIMIT = 20;

function SearchForm({ params }: { params: URLSearchParams }) {
  const [, setParams] = useSearchParams();
  const { q, setQ, submit } = useSearchBox(params, setParams);
  const categories = useResource(
    (signal) => unwrap(api.products.GET("/api/categories", { signal })),
    [],
  );

  return (
    <form className="toolbar" role="search" aria-label="Products" onSubmit={submit}>
      <div className="field">
        <label htmlFor="admin-product-q">Search by name, description or SKU</label>
        <input id="admin-product-q" type="search" value={q} onChange={(event) => setQ(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="admin-product-category">Category</label>
        <select
          id="admin-product-category"
          value={params.get("category") ?? ""}
          onChange={(event) => setParams(filtered(params, { category: event.target.value }))}
        >
          <option value="">All categories</option>
          {(categories.data?.items ?? []).map((category) => (
            <option key={category.id} value={category.slug}>
              {category.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button">
        Search
      </button>
    </form>
  );
}

function ProductRow({ product, onDeleted }: { product: Product; onDeleted: (product: Product, error?: unknown) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  useEffect(() => {
    // Back from the confirmation: focus where it was, not on the page's top.
    if (!confirming && returnFocus.current) deleteButton.current?.focus();
    returnFocus.current = false;
  }, [confirming]);

  async function remove() {
    setBusy(true);
    try {
      await unwrap(api.products.DELETE("/api/products/{product_id}", { params: { path: { product_id: product.id } } }));
      onDeleted(product);
    } catch (error) {
      setBusy(false);
      setConfirming(false);
      onDeleted(product, error);
    }
  }

  return (
    <tr>
      <td>
        {product.image_url ? (
          <img className="admin-thumb" src={imageSrc(product.image_url)} alt="" loading="lazy" />
        ) : (
          <span className="admin-thumb admin-thumb-empty" aria-hidden="true" />
        )}
      </td>
      <td>
        <Link to={`/admin/products/${product.id}`}>{product.name}</Link>
      </td>
      <td>
        <code>{product.sku}</code>
      </td>
      <td className="admin-number">
        <Price amount={product.price} currency={product.currency} />
      </td>
      <td className="admin-number">{product.stock}</td>
      <td>{product.category?.name ?? <span className="muted">None</span>}</td>
      <td>{product.is_active ? "Yes" : <span className="badge badge-cancelled">Withdrawn</span>}</td>
      <td className="admin-row-actions">
        {confirming ? (
          <div role="group" aria-label={`Delete ${product.name}?`} className="admin-confirm">
            <span>Delete for good?</span>
            <button
              type="button"
              className="button small danger"
              disabled={busy}
              autoFocus
              aria-label={`Yes, delete ${product.name}`}
              onClick={() => void remove()}
            >
              {busy ? "Deleting…" : "Yes, delete"}
            </button>
            <button
              type="button"
              className="button small secondary"
              disabled={busy}
              onClick={() => {
                returnFocus.current = true;
                setConfirming(false);
              }}
            >
              Keep it
            </button>
          </div>
        ) : (
          <div className="admin-actions">
            <Link className="button small secondary" to={`/admin/products/${product.id}`} aria-label={`Edit ${product.name}`}>
              Edit
            </Link>
            <button
              ref={deleteButton}
              type="button"
              className="button small danger"
              aria-label={`Delete ${product.name}`}
              onClick={() => setConfirming(true)}
            >
              Delete
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}

/** The demo catalog's images are paths on the API, served through the gateway. */
export function imageSrc(url: string): string {
  return url.startsWith("/") ? `${apiUrl()}${url}` : url;
}

export function ProductsPage() {
  usePageTitle("Products · Admin");
  const [params] = useSearchParams();
  const page = pageFrom(params);
  const q = params.get("q") ?? "";
  const category = params.get("category") ?? "";
  const [deleted, setDeleted] = useState<Set<string>>(new Set());
  const [flash, setFlash] = useState<Flash | null>(null);
  const products = useResource(
    (signal) =>
      unwrap(
        api.products.GET("/api/products", {
          params: {
            query: {
              page,
              limit: LIMIT,
              include_inactive: true,
              ...(q ? { q } : {}),
              ...(category ? { category } : {}),
            },
          },
          signal,
        }),
      ),
    [page, q, category],
  );

  function onDeleted(product: Product, error?: unknown) {
    if (error) {
      setFlash({ kind: "error", text: `${product.name} was not deleted: ${describeError(error)}` });
      return;
    }
    setDeleted((previous) => new Set(previous).add(product.id));
    setFlash({ kind: "success", text: `${product.name} was deleted.` });
    products.reload(); // the page fills up again and the total is right
  }

  const data = products.data;
  const rows = data?.items.filter((product) => !deleted.has(product.id)) ?? [];
  return (
    <section>
      <PageHeader title="Products">
        <Link className="button" to="/admin/products/new">
          New product
        </Link>
      </PageHeader>
      <SearchForm params={params} />
      <ActionNotice flash={flash} />
      {data === undefined ? (
        products.status === "error" ? (
          <ErrorState error={products.error} onRetry={products.reload} />
        ) : (
          <Loading label="Loading products…" />
        )
      ) : rows.length === 0 ? (
        <EmptyState title={q || category ? "No product matches this search." : "There are no products yet."}>
          <p>
            <Link to="/admin/products/new">Create a product</Link>
          </p>
        </EmptyState>
      ) : (
        <>
          {products.status === "error" && <ErrorState error={products.error} onRetry={products.reload} />}
          <p className="muted" aria-live="polite">
            {data.total} {data.total === 1 ? "product" : "products"}
            {products.status === "loading" ? " · updating…" : ""}
          </p>
          <div className="table-wrap">
            <table className="data admin-table">
              <caption className="visually-hidden">Products, page {data.page} of {Math.max(data.pages, 1)}</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">Image</span>
                  </th>
                  <th scope="col">Name</th>
                  <th scope="col">SKU</th>
                  <th scope="col" className="admin-number">Price</th>
                  <th scope="col" className="admin-number">Stock</th>
                  <th scope="col">Category</th>
                  <th scope="col">Active</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((product) => (
                  <ProductRow key={product.id} product={product} onDeleted={onDeleted} />
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            page={page}
            pages={data.pages}
            hrefFor={(n) => hrefWith("/admin/products", params, { page: n })}
            label="Product pages"
          />
        </>
      )}
    </section>
  );
}
