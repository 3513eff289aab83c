/** Creating and editing a product (`/admin/products/new`, `/admin/products/:id`), with the
 * service's validation messages next to the fields, and a quick stock adjustment. */

import { useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError, describeError, fieldMessages } from "../api/problem";
import type { Category, Product, ProductCreate, ProductUpdate } from "../api/types";
import { SelectField, TextAreaField, TextField } from "../components/Field";
import { ErrorState, Loading, Notice } from "../components/Status";
import { useResource } from "../hooks/useResource";
import { usePageTitle } from "../hooks/usePageTitle";
import { imageSrc } from "./Products";
import { ActionNotice, byId, PageHeader, type Flash } from "./shared";

interface Values {
  name: string;
  description: string;
  price: string;
  currency: string;
  sku: string;
  stock: string;
  image_url: string;
  category_id: string;
  is_active: boolean;
}

const EMPTY: Values = {
  name: "",
  description: "",
  price: "",
  currency: "USD",
  sku: "",
  stock: "0",
  image_url: "",
  category_id: "",
  is_active: true,
};

function valuesOf(product: Product): Values {
  return {
    name: product.name,
    description: product.description,
    price: product.price,
    currency: product.currency,
    sku: product.sku,
    stock: String(product.stock),
    image_url: product.image_url ?? "",
    category_id: product.category?.id ?? "",
    is_active: product.is_active,
  };
}

/** A whole number as a number; anything else as typed, for the service to explain. */
function wholeNumber(value: string): number {
  const trimmed = value.trim();
  return (/^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed) as number;
}

function createBody(values: Values): ProductCreate {
  const body: Partial<ProductCreate> = {
    name: values.name,
    description: values.description,
    currency: values.currency.trim().toUpperCase(),
    sku: values.sku,
  };
  // Left out when empty, so the service says which required field is missing.
  if (values.price.trim()) body.price = values.price.trim();
  if (values.stock.trim()) body.stock = wholeNumber(values.stock);
  if (values.image_url.trim()) body.image_url = values.image_url.trim();
  if (values.category_id) body.category_id = values.category_id;
  return body as ProductCreate;
}

/** Only what changed: another admin's (or a shopper's) change to the rest is kept. */
function updateBody(before: Values, after: Values): ProductUpdate {
  const body: ProductUpdate = {};
  if (after.name !== before.name) body.name = after.name;
  if (after.description !== before.description) body.description = after.description;
  if (after.price.trim() !== before.price) body.price = after.price.trim();
  const currency = after.currency.trim().toUpperCase();
  if (currency !== before.currency) body.currency = currency;
  if (after.sku !== before.sku) body.sku = after.sku;
  const image = after.image_url.trim();
  if (image !== before.image_url) body.image_url = image || null;
  if (after.category_id !== before.category_id) body.category_id = after.category_id || null;
  if (after.is_active !== before.is_active) body.is_active = after.is_active;
  return body;
}

/** Messages by field for a refused save: 422 field errors, or the duplicate SKU of a 409. */
function errorsOf(error: unknown): Record<string, string> {
  if (error instanceof ApiError && error.status === 409 && error.code === "duplicate_sku") {
    return { sku: error.userMessage };
  }
  return fieldMessages(error);
}

const FIELDS = new Set(["name", "description", "price", "currency", "sku", "stock", "image_url", "category_id", "is_active"]);

function ProductFields({
  values,
  onChange,
  errors,
  categories,
  creating,
}: {
  values: Values;
  onChange: (values: Values) => void;
  errors: Record<string, string>;
  categories: Pick<Category, "id" | "name">[];
  creating: boolean;
}) {
  const set = (field: keyof Values) => (event: { target: { value: string } }) =>
    onChange({ ...values, [field]: event.target.value });
  return (
    <>
      <TextField label="Name" name="name" value={values.name} onChange={set("name")} error={errors.name} required />
      <TextAreaField
        label="Description"
        name="description"
        value={values.description}
        onChange={set("description")}
        error={errors.description}
        rows={5}
      />
      <div className="form-row">
        <TextField
          label="Price"
          name="price"
          inputMode="decimal"
          value={values.price}
          onChange={set("price")}
          error={errors.price}
          hint="For example 19.99"
          required
        />
        <TextField
          label="Currency"
          name="currency"
          value={values.currency}
          onChange={set("currency")}
          error={errors.currency}
          hint="Three letters, e.g. USD"
          maxLength={3}
          autoCapitalize="characters"
        />
      </div>
      <div className="form-row">
        <TextField label="SKU" name="sku" value={values.sku} onChange={set("sku")} error={errors.sku} required />
        {creating && (
          <TextField
            label="Stock"
            name="stock"
            inputMode="numeric"
            value={values.stock}
            onChange={set("stock")}
            error={errors.stock}
            hint="Units for sale"
            required
          />
        )}
      </div>
      <TextField
        label="Image URL"
        name="image_url"
        type="url"
        value={values.image_url}
        onChange={set("image_url")}
        error={errors.image_url}
        hint="An https:// address, or leave empty"
      />
      <SelectField label="Category" name="category_id" value={values.category_id} onChange={set("category_id")} error={errors.category_id}>
        <option value="">No category</option>
        {categories.map((category) => (
          <option key={category.id} value={category.id}>
            {category.name}
          </option>
        ))}
      </SelectField>
      {!creating && (
        <div className={`field admin-check${errors.is_active ? " field-invalid" : ""}`}>
          <label>
            <input
              type="checkbox"
              name="is_active"
              checked={values.is_active}
              onChange={(event) => onChange({ ...values, is_active: event.target.checked })}
            />{" "}
            For sale (active)
          </label>
          <span className="field-hint">A withdrawn product is hidden from shoppers but kept for past orders.</span>
          {errors.is_active && <span className="field-error">{errors.is_active}</span>}
        </div>
      )}
    </>
  );
}

function useCategories() {
  return useResource((signal) => unwrap(api.products.GET("/api/categories", { signal })), []);
}

/** Field errors the form cannot place next to a field, as sentences. */
function unplaced(errors: Record<string, string>): string[] {
  return Object.entries(errors)
    .filter(([field]) => !FIELDS.has(field))
    .map(([field, message]) => (field === "_" ? message : `${field}: ${message}`));
}

function SaveError({ error, errors }: { error: unknown; errors: Record<string, string> }) {
  if (!error) return null;
  const others = unplaced(errors);
  const placed = Object.keys(errors).length > others.length;
  return (
    <Notice kind="error">
      {placed ? "The product was not saved: some fields need attention." : `The product was not saved. ${describeError(error)}`}
      {others.length > 0 && (
        <ul>
          {others.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </Notice>
  );
}

function NewProduct() {
  usePageTitle("New product · Admin");
  const navigate = useNavigate();
  const categories = useCategories();
  const [values, setValues] = useState<Values>(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = errorsOf(error);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await unwrap(api.products.POST("/api/products", { body: createBody(values) }));
      navigate(`/admin/products/${created.id}`, { state: { flash: `${created.name} was created.` } });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <section className="admin-form-page">
      <p className="admin-back">
        <Link to="/admin/products">← Products</Link>
      </p>
      <PageHeader title="New product" />
      <form onSubmit={(event) => void submit(event)} noValidate className="card">
        <SaveError error={error} errors={errors} />
        {categories.status === "error" && (
          <Notice kind="info">The categories could not be loaded; the product can be saved without one.</Notice>
        )}
        <ProductFields values={values} onChange={setValues} errors={errors} categories={categories.data?.items ?? []} creating />
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Creating…" : "Create product"}
          </button>
          <Link to="/admin/products">Cancel</Link>
        </div>
      </form>
    </section>
  );
}

function StockAdjust({ product, onChanged }: { product: Product; onChanged: (product: Product) => void }) {
  const [change, setChange] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [flash, setFlash] = useState<Flash | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const delta = Number(change.trim());
    if (!/^[+-]?\d+$/.test(change.trim()) || delta === 0) {
      setError("Enter a whole number of units other than 0, like 10 or -3.");
      return;
    }
    setBusy(true);
    setError(undefined);
    setFlash(null);
    try {
      // The stock moves with every order: add to what it is now, not to what was loaded.
      const path = { product_id: product.id };
      const fresh = await unwrap(api.products.GET("/api/products/{product_id}", { params: { path } }));
      const stock = fresh.stock + delta;
      if (stock < 0) {
        setError(`Only ${fresh.stock} ${fresh.stock === 1 ? "unit is" : "units are"} in stock: at most ${fresh.stock} can be removed.`);
        onChanged(fresh);
        return;
      }
      const saved = await unwrap(api.products.PUT("/api/products/{product_id}", { params: { path }, body: { stock } }));
      onChanged(saved);
      setChange("");
      setFlash({ kind: "success", text: `Stock is now ${saved.stock}.` });
    } catch (caught) {
      const messages = fieldMessages(caught);
      if (messages.stock) setError(messages.stock);
      else setFlash({ kind: "error", text: `The stock was not changed. ${describeError(caught)}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card admin-stock" aria-labelledby="stock-title">
      <h2 id="stock-title">Stock</h2>
      <p>
        In stock: <strong className={product.stock <= 5 ? "admin-stock-low" : undefined}>{product.stock}</strong>
      </p>
      <ActionNotice flash={flash} />
      <form onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="Change stock by"
          name="stock_change"
          inputMode="numeric"
          value={change}
          onChange={(event) => setChange(event.target.value)}
          error={error}
          hint="Positive to add units, negative to remove them."
        />
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Updating…" : "Update stock"}
          </button>
        </div>
      </form>
    </section>
  );
}

function EditProduct({ productId }: { productId: string }) {
  const location = useLocation();
  const categories = useCategories();
  const loaded = useResource(
    (signal) =>
      byId(productId, () =>
        unwrap(api.products.GET("/api/products/{product_id}", { params: { path: { product_id: productId } }, signal })),
      ),
    [productId],
  );
  const [product, setProduct] = useState<Product | null>(null);
  const [values, setValues] = useState<Values | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [flash, setFlash] = useState<Flash | null>(() => {
    const text = (location.state as { flash?: unknown } | null)?.flash;
    return typeof text === "string" ? { kind: "success", text } : null;
  });
  const [busy, setBusy] = useState(false);

  const current = product ?? loaded.data ?? null;
  usePageTitle(current ? `${current.name} · Admin` : "Product · Admin");
  if (!current) {
    if (loaded.status === "error") {
      const missing = loaded.error instanceof ApiError && loaded.error.status === 404;
      return (
        <section>
          <p className="admin-back">
            <Link to="/admin/products">← Products</Link>
          </p>
          <PageHeader title={missing ? "Product not found" : "Product"} />
          {missing ? (
            <p>There is no product with this id; it may have been deleted.</p>
          ) : (
            <ErrorState error={loaded.error} onRetry={loaded.reload} />
          )}
        </section>
      );
    }
    return <Loading label="Loading the product…" />;
  }

  const before = valuesOf(current);
  const shown = values ?? before;
  const errors = errorsOf(error);
  // Withdrawn categories are not listed: keep the product's own in the choice.
  const choices: Pick<Category, "id" | "name">[] = [...(categories.data?.items ?? [])];
  if (current.category && !choices.some((c) => c.id === current.category?.id)) choices.push(current.category);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body = updateBody(before, shown);
    setError(null);
    if (Object.keys(body).length === 0) {
      setFlash({ kind: "success", text: "Nothing changed." });
      return;
    }
    setBusy(true);
    setFlash(null);
    try {
      const saved = await unwrap(
        api.products.PUT("/api/products/{product_id}", { params: { path: { product_id: productId } }, body }),
      );
      setProduct(saved);
      setValues(null);
      setFlash({ kind: "success", text: `${saved.name} was saved.` });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="admin-form-page">
      <p className="admin-back">
        <Link to="/admin/products">← Products</Link>
      </p>
      <PageHeader title={`Edit ${current.name}`}>
        {!current.is_active && <span className="badge badge-cancelled">Withdrawn</span>}
      </PageHeader>
      <ActionNotice flash={flash} />
      <div className="admin-columns">
        <form onSubmit={(event) => void submit(event)} noValidate className="card">
          <SaveError error={error} errors={errors} />
          <ProductFields values={shown} onChange={setValues} errors={errors} categories={choices} creating={false} />
          <div className="form-actions">
            <button type="submit" className="button" disabled={busy}>
              {busy ? "Saving…" : "Save changes"}
            </button>
            {values && (
              <button type="button" className="button secondary" onClick={() => { setValues(null); setError(null); }}>
                Undo changes
              </button>
            )}
          </div>
        </form>
        <div className="admin-aside">
          <StockAdjust product={current} onChanged={setProduct} />
          {current.image_url && (
            <figure className="card admin-preview">
              <img src={imageSrc(current.image_url)} alt={`${current.name}, as shoppers see it`} />
              <figcaption className="muted">
                <Link to={`/products/${current.id}`}>View in the shop</Link>
              </figcaption>
            </figure>
          )}
        </div>
      </div>
    </section>
  );
}

export function ProductFormPage() {
  const { productId } = useParams();
  return productId ? <EditProduct key={productId} productId={productId} /> : <NewProduct />;
}
