/** The catalog: search, filters, sort and pages. The query string is the view: every control
 * reads it and writes it, so a copied link, a reload and back/forward all show the same thing. */

import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError, fieldMessages } from "../api/problem";
import type { Category, ProductPage as ProductPageData } from "../api/types";
import { SelectField, TextField } from "../components/Field";
import { Pagination } from "../components/Pagination";
import { ProductCard } from "../components/ProductCard";
import { EmptyState, ErrorState, Loading, Notice } from "../components/Status";
import { usePageTitle } from "../hooks/usePageTitle";
import { useResource, type Resource } from "../hooks/useResource";
import "../styles/storefront.css";

export const PAGE_SIZE = 12;
/** NUMERIC(12,2): the largest price the catalog can hold. */
const MAX_PRICE = 9_999_999_999.99;

const MIN_PRICE_ID = "catalog-min-price";
const MAX_PRICE_ID = "catalog-max-price";

const SORTS = [
  { value: "relevance", label: "Best match" },
  { value: "newest", label: "Newest" },
  { value: "price", label: "Price: low to high" },
  { value: "-price", label: "Price: high to low" },
  { value: "name", label: "Name: A to Z" },
  { value: "-name", label: "Name: Z to A" },
] as const;

type Sort = (typeof SORTS)[number]["value"];

/** The view as the URL states it, with values the API would refuse dropped (a bad `page` or
 * `sort` from a hand-edited link is ignored; prices go as written and the API judges them). */
interface CatalogView {
  q: string;
  category: string;
  minPrice: string;
  maxPrice: string;
  inStock: boolean;
  sort: Sort | null;
  page: number;
}

function readView(params: URLSearchParams): CatalogView {
  const q = (params.get("q") ?? "").trim();
  const wanted = params.get("sort");
  // Relevance ranks a search: without one there is nothing to rank.
  const sort = SORTS.find((option) => option.value === wanted && (q || option.value !== "relevance"))?.value ?? null;
  const page = Number(params.get("page") ?? "1");
  return {
    q,
    category: (params.get("category") ?? "").trim(),
    minPrice: (params.get("min_price") ?? "").trim(),
    maxPrice: (params.get("max_price") ?? "").trim(),
    inStock: params.get("in_stock") === "true",
    sort,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

function isFiltered(view: CatalogView): boolean {
  return Boolean(view.q || view.category || view.minPrice || view.maxPrice || view.inStock);
}

/** A price bound as typed: empty is fine (no bound); otherwise a number >= 0 in cents. */
function priceProblem(raw: string): string | undefined {
  const text = raw.trim();
  if (!text) return undefined;
  if (/^-\s*\d*\.?\d+$/.test(text)) return "Enter 0 or more.";
  if (!/^(\d+\.?\d*|\.\d+)$/.test(text)) return "Enter a number, like 25 or 19.99.";
  if ((text.split(".")[1] ?? "").length > 2) return "Use at most 2 decimal places.";
  if (Number(text) > MAX_PRICE) return "Enter a smaller amount.";
  return undefined;
}

interface PriceErrors {
  min_price?: string;
  max_price?: string;
}

function validatePrices(min: string, max: string): PriceErrors {
  const errors: PriceErrors = {};
  const minProblem = priceProblem(min);
  const maxProblem = priceProblem(max);
  if (minProblem) errors.min_price = minProblem;
  if (maxProblem) errors.max_price = maxProblem;
  if (!minProblem && !maxProblem && min.trim() && max.trim() && Number(min) > Number(max)) {
    errors.min_price = "Min price must not be more than max price.";
  }
  return errors;
}

function sortLabel(sort: Sort): string {
  return SORTS.find((option) => option.value === sort)?.label ?? sort;
}

export function CatalogPage() {
  const [params, setParams] = useSearchParams();
  const view = readView(params);
  const { q, category, minPrice, maxPrice, inStock, sort, page } = view;

  const categories = useResource(
    async (signal) => (await unwrap(api.products.GET("/api/categories", { signal }))).items,
    [],
  );
  const products = useResource(
    (signal) =>
      unwrap(
        api.products.GET("/api/products", {
          params: {
            query: {
              q: q || undefined,
              category: category || undefined,
              min_price: minPrice || undefined,
              max_price: maxPrice || undefined,
              in_stock: inStock || undefined,
              sort: sort ?? undefined,
              page: page > 1 ? page : undefined,
              limit: PAGE_SIZE,
            },
          },
          signal,
        }),
      ),
    [q, category, minPrice, maxPrice, inStock, sort, page],
  );

  // What the controls show: typed text not applied yet, and a choice already made while the
  // router is still moving to its URL (so a checkbox never flicks back for a moment).
  const [draftQ, setDraftQ] = useFollowing(q);
  const [draftMin, setDraftMin] = useFollowing(minPrice);
  const [draftMax, setDraftMax] = useFollowing(maxPrice);
  const [chosenCategory, setChosenCategory] = useFollowing(category);
  const [chosenInStock, setChosenInStock] = useFollowing(inStock);
  const [chosenSort, setChosenSort] = useFollowing<Sort | null>(sort);
  const [priceErrors, setPriceErrors] = useState<PriceErrors>({});
  useEffect(() => setPriceErrors({}), [minPrice, maxPrice]);

  const resultsHeading = useRef<HTMLHeadingElement>(null);

  // A new page of results: take keyboard and screen reader users to its top, not the old spot.
  const shownPage = useRef(page);
  useEffect(() => {
    if (shownPage.current === page) return;
    shownPage.current = page;
    resultsHeading.current?.scrollIntoView?.({ block: "start" });
    resultsHeading.current?.focus({ preventScroll: true });
  }, [page]);

  const knownCategory = categories.data?.find((item) => item.slug === category || item.id === category);
  const chosenKnown = categories.data?.find((item) => item.slug === chosenCategory || item.id === chosenCategory);
  const heading = knownCategory?.name ?? "Shop";
  usePageTitle(q ? `Search: ${q}` : heading);

  /** Writes the view: the typed search, the typed prices when they are valid (else the URL's
   * stay and the messages show), plus `changes`; always back to page 1. */
  const apply = (changes: Record<string, string | null> = {}): void => {
    const errors = validatePrices(draftMin, draftMax);
    setPriceErrors(errors);
    const next = new URLSearchParams(params);
    const put = (name: string, value: string | null) => {
      if (value) next.set(name, value);
      else next.delete(name);
    };
    put("q", draftQ.trim());
    const pricesValid = !errors.min_price && !errors.max_price;
    if (pricesValid) {
      put("min_price", draftMin.trim());
      put("max_price", draftMax.trim());
    }
    for (const [name, value] of Object.entries(changes)) put(name, value);
    next.delete("page");
    if (!next.get("q") && next.get("sort") === "relevance") next.delete("sort");
    if (next.toString() !== params.toString()) setParams(next);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors = validatePrices(draftMin, draftMax);
    if (errors.min_price || errors.max_price) {
      setPriceErrors(errors);
      document.getElementById(errors.min_price ? MIN_PRICE_ID : MAX_PRICE_ID)?.focus();
      return;
    }
    apply();
  };

  const apiErrors = fieldMessages(products.error);
  const hrefFor = (target: number) => {
    const next = new URLSearchParams(params);
    if (target > 1) next.set("page", String(target));
    else next.delete("page");
    const search = next.toString();
    return search ? `/products?${search}` : "/products";
  };
  const effectiveSort: Sort = chosenSort ?? (q ? "relevance" : "newest");

  return (
    <section className="page catalog">
      <h1>{heading}</h1>
      <div className="catalog-layout">
        <aside className="catalog-filters" aria-labelledby="catalog-filters-heading">
          <h2 id="catalog-filters-heading" className="catalog-filters-title">
            Filters
          </h2>
          <form role="search" aria-label="Filter products" onSubmit={submit} noValidate>
            <TextField
              label="Search"
              type="search"
              name="q"
              value={draftQ}
              maxLength={200}
              error={apiErrors.q}
              onChange={(event) => setDraftQ(event.target.value)}
            />
            <CategorySelect
              categories={categories.data}
              failed={categories.status === "error"}
              value={chosenKnown?.slug ?? chosenCategory}
              error={apiErrors.category}
              onChange={(value) => {
                setChosenCategory(value ?? "");
                apply({ category: value });
              }}
            />
            <fieldset className="catalog-price">
              <legend>Price</legend>
              <div className="catalog-price-inputs">
                <TextField
                  id={MIN_PRICE_ID}
                  label="Min price"
                  name="min_price"
                  inputMode="decimal"
                  autoComplete="off"
                  placeholder="0"
                  value={draftMin}
                  error={priceErrors.min_price ?? apiErrors.min_price}
                  onChange={(event) => setDraftMin(event.target.value)}
                />
                <TextField
                  id={MAX_PRICE_ID}
                  label="Max price"
                  name="max_price"
                  inputMode="decimal"
                  autoComplete="off"
                  placeholder="Any"
                  value={draftMax}
                  error={priceErrors.max_price ?? apiErrors.max_price}
                  onChange={(event) => setDraftMax(event.target.value)}
                />
              </div>
            </fieldset>
            <div className="checkbox-field">
              <input
                id="catalog-in-stock"
                type="checkbox"
                checked={chosenInStock}
                onChange={(event) => {
                  setChosenInStock(event.target.checked);
                  apply({ in_stock: event.target.checked ? "true" : null });
                }}
              />
              <label htmlFor="catalog-in-stock">In stock only</label>
            </div>
            <div className="form-actions">
              <button type="submit" className="button">
                Apply filters
              </button>
              {isFiltered(view) && <Link to="/products">Clear filters</Link>}
            </div>
          </form>
        </aside>

        <section className="catalog-results" aria-labelledby="catalog-results-heading">
          <h2 id="catalog-results-heading" className="visually-hidden" tabIndex={-1} ref={resultsHeading}>
            Results
          </h2>
          <div className="catalog-toolbar">
            <p className="catalog-count" role="status">
              {products.status === "ready" ? countText(products.data.total, q) : ""}
            </p>
            <SelectField
              label="Sort by"
              value={effectiveSort}
              error={apiErrors.sort}
              onChange={(event) => {
                setChosenSort(event.target.value as Sort);
                apply({ sort: event.target.value });
              }}
            >
              {SORTS.filter((option) => q || option.value !== "relevance").map((option) => (
                <option key={option.value} value={option.value}>
                  {sortLabel(option.value)}
                </option>
              ))}
            </SelectField>
          </div>
          <Results view={view} products={products} hrefFor={hrefFor} />
        </section>
      </div>
    </section>
  );
}

/** State that starts as `value` and starts over whenever `value` changes. */
function useFollowing<T>(value: T): [T, (next: T) => void] {
  const [state, setState] = useState(value);
  useEffect(() => setState(value), [value]);
  return [state, setState];
}

function countText(total: number, q: string): string {
  const count = `${total} ${total === 1 ? "product" : "products"}`;
  return q ? `${count} for “${q}”` : count;
}

function CategorySelect({ categories, failed, value, error, onChange }: {
  categories: Category[] | undefined;
  failed: boolean;
  value: string;
  error: string | undefined;
  onChange: (value: string | null) => void;
}) {
  // A category the list does not hold (not loaded yet, or gone) still shows as chosen.
  const unknown = value && !categories?.some((item) => item.slug === value);
  return (
    <SelectField
      label="Category"
      value={value}
      error={error}
      hint={failed ? "The categories could not be loaded." : undefined}
      onChange={(event) => onChange(event.target.value || null)}
    >
      <option value="">All categories</option>
      {unknown && <option value={value}>{value}</option>}
      {categories?.map((item) => (
        <option key={item.id} value={item.slug}>
          {item.name} ({item.product_count})
        </option>
      ))}
    </SelectField>
  );
}

function Results({ view, products, hrefFor }: {
  view: CatalogView;
  products: Resource<ProductPageData>;
  hrefFor: (page: number) => string;
}) {
  if (products.status === "error") {
    const invalid = products.error instanceof ApiError && products.error.status === 422;
    return invalid ? (
      <Notice kind="error">Some filters are not valid. Check the messages next to them.</Notice>
    ) : (
      <ErrorState error={products.error} onRetry={products.reload} title="The products could not be loaded." />
    );
  }
  if (!products.data) return <Loading label="Loading products…" />;
  const { items, total, pages } = products.data;
  const updating = products.status === "loading";
  if (items.length === 0) {
    if (total > 0) {
      return (
        <EmptyState title={`There is nothing on page ${view.page}.`}>
          <p>
            <Link to={hrefFor(1)}>Go to the first page</Link>
          </p>
        </EmptyState>
      );
    }
    return isFiltered(view) ? (
      <EmptyState title="No products match your filters.">
        <p>Try other words, another category or a wider price range.</p>
        <p>
          <Link to="/products" className="button secondary">
            Clear all filters
          </Link>
        </p>
      </EmptyState>
    ) : (
      <EmptyState title="There are no products in the shop yet." />
    );
  }
  return (
    <>
      {updating && <Loading label="Updating…" />}
      <ul className={`product-grid${updating ? " is-updating" : ""}`} aria-busy={updating}>
        {items.map((product) => (
          <li key={product.id}>
            <ProductCard product={product} />
          </li>
        ))}
      </ul>
      <Pagination page={view.page} pages={pages} hrefFor={hrefFor} label="Result pages" />
    </>
  );
}
