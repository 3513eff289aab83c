/** The front door: a welcome, the categories to browse and what is new and in stock. Each
 * section loads, fails and retries on its own, so one slow service never blanks the page. */

import { Link } from "react-router-dom";
import { api, unwrap } from "../api/client";
import type { Category } from "../api/types";
import { ProductCard } from "../components/ProductCard";
import { EmptyState, ErrorState, Loading } from "../components/Status";
import { usePageTitle } from "../hooks/usePageTitle";
import { useResource } from "../hooks/useResource";
import "../styles/storefront.css";

const FEATURED_COUNT = 8;

export function HomePage() {
  usePageTitle("");
  return (
    <div className="page home">
      <section className="hero" aria-labelledby="hero-heading">
        <div className="hero-text">
          <h1 id="hero-heading">Good things for every day, delivered</h1>
          <p>
            Kitchen, home, garden and more: hand-picked goods at fair prices. Browse the shop, fill your cart and
            check out in a minute.
          </p>
          <p className="hero-actions">
            <Link to="/products" className="button">
              Browse the shop
            </Link>
            <Link to="/products?sort=newest" className="button secondary">
              See what is new
            </Link>
          </p>
        </div>
        <div className="hero-art" aria-hidden="true">
          <span>M</span>
        </div>
      </section>
      <CategoriesSection />
      <FeaturedSection />
    </div>
  );
}

function CategoriesSection() {
  const categories = useResource(
    async (signal) => (await unwrap(api.products.GET("/api/categories", { signal }))).items,
    [],
  );
  return (
    <section className="home-section" aria-labelledby="home-categories">
      <div className="section-head">
        <h2 id="home-categories">Shop by category</h2>
      </div>
      {categories.status === "error" ? (
        <ErrorState error={categories.error} onRetry={categories.reload} title="The categories could not be loaded." />
      ) : !categories.data ? (
        <Loading label="Loading categories…" />
      ) : categories.data.length === 0 ? (
        <EmptyState title="No categories yet.">
          <p>
            <Link to="/products">Browse all products</Link>
          </p>
        </EmptyState>
      ) : (
        <CategoryList categories={categories.data} />
      )}
    </section>
  );
}

function CategoryList({ categories }: { categories: Category[] }) {
  return (
    <ul className="category-list">
      {categories.map((category) => (
        <li key={category.id}>
          <Link to={`/products?category=${encodeURIComponent(category.slug)}`} className="category-tile">
            <span className="category-initial" aria-hidden="true">
              {category.name.charAt(0).toUpperCase()}
            </span>
            <span className="category-name">{category.name}</span>
            <span className="category-count">
              {category.product_count} {category.product_count === 1 ? "product" : "products"}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

function FeaturedSection() {
  const featured = useResource(
    (signal) =>
      unwrap(
        api.products.GET("/api/products", {
          params: { query: { sort: "newest", in_stock: true, limit: FEATURED_COUNT } },
          signal,
        }),
      ),
    [],
  );
  return (
    <section className="home-section" aria-labelledby="home-featured">
      <div className="section-head">
        <h2 id="home-featured">New and in stock</h2>
        <Link to="/products?sort=newest&in_stock=true">See all new products</Link>
      </div>
      {featured.status === "error" ? (
        <ErrorState error={featured.error} onRetry={featured.reload} title="The featured products could not be loaded." />
      ) : !featured.data ? (
        <Loading label="Loading products…" />
      ) : featured.data.items.length === 0 ? (
        <EmptyState title="Nothing is in stock right now.">
          <p>New stock arrives often: come back soon.</p>
        </EmptyState>
      ) : (
        <ul className="product-grid">
          {featured.data.items.map((product) => (
            <li key={product.id}>
              <ProductCard product={product} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
