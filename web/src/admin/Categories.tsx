/** The categories, and a form to add one. The API lists active categories only and has no
 * way to edit or delete one, so neither is offered here. */

import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError, describeError, fieldMessages } from "../api/problem";
import { TextAreaField, TextField } from "../components/Field";
import { EmptyState, ErrorState, Loading, Notice } from "../components/Status";
import { useResource } from "../hooks/useResource";
import { usePageTitle } from "../hooks/usePageTitle";
import { ActionNotice, PageHeader, type Flash } from "./shared";

const EMPTY = { name: "", description: "", slug: "" };

function CreateCategory({ onCreated }: { onCreated: (name: string) => void }) {
  const [values, setValues] = useState(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors =
    error instanceof ApiError && error.status === 409 && error.code === "duplicate_slug"
      ? { slug: values.slug.trim() ? error.userMessage : `${error.userMessage} Choose another slug.` }
      : fieldMessages(error);
  const placed = ["name", "description", "slug"].some((field) => errors[field]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const slug = values.slug.trim();
    try {
      const created = await unwrap(
        api.products.POST("/api/categories", {
          body: { name: values.name, description: values.description, ...(slug ? { slug } : {}) },
        }),
      );
      setValues(EMPTY);
      onCreated(created.name);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  const set = (field: keyof typeof EMPTY) => (event: { target: { value: string } }) =>
    setValues({ ...values, [field]: event.target.value });
  return (
    <section className="card" aria-labelledby="new-category">
      <h2 id="new-category">New category</h2>
      <form onSubmit={(event) => void submit(event)} noValidate>
        {error !== null && (
          <Notice kind="error">
            {placed ? "The category was not created: some fields need attention." : `The category was not created. ${describeError(error)}`}
          </Notice>
        )}
        <TextField label="Name" name="name" value={values.name} onChange={set("name")} error={errors.name} required />
        <TextAreaField
          label="Description"
          name="description"
          value={values.description}
          onChange={set("description")}
          error={errors.description}
          rows={3}
        />
        <TextField
          label="Slug (optional)"
          name="slug"
          value={values.slug}
          onChange={set("slug")}
          error={errors.slug}
          hint="Lower-case words joined by hyphens, used in catalog links. Made from the name when left empty."
        />
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            {busy ? "Creating…" : "Create category"}
          </button>
        </div>
      </form>
    </section>
  );
}

export function CategoriesPage() {
  usePageTitle("Categories · Admin");
  const categories = useResource((signal) => unwrap(api.products.GET("/api/categories", { signal })), []);
  const [flash, setFlash] = useState<Flash | null>(null);
  const items = categories.data?.items;

  return (
    <section>
      <PageHeader title="Categories" />
      <ActionNotice flash={flash} />
      <div className="admin-columns">
        <div>
          {items === undefined ? (
            categories.status === "error" ? (
              <ErrorState error={categories.error} onRetry={categories.reload} />
            ) : (
              <Loading label="Loading categories…" />
            )
          ) : items.length === 0 ? (
            <EmptyState title="There are no categories yet." />
          ) : (
            <div className="table-wrap">
              <table className="data">
                <caption className="visually-hidden">Categories</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Slug</th>
                    <th scope="col" className="admin-number">Products</th>
                    <th scope="col">Active</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((category) => (
                    <tr key={category.id}>
                      <th scope="row">
                        <Link to={`/admin/products?category=${encodeURIComponent(category.slug)}`}>{category.name}</Link>
                        {category.description && <div className="muted admin-small">{category.description}</div>}
                      </th>
                      <td>
                        <code>{category.slug}</code>
                      </td>
                      <td className="admin-number">{category.product_count}</td>
                      <td>{category.is_active ? "Yes" : "No"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p className="muted admin-small">
            Categories cannot be renamed or removed here: the shop's API has no way to do so yet.
          </p>
        </div>
        <CreateCategory
          onCreated={(name) => {
            setFlash({ kind: "success", text: `${name} was created.` });
            categories.reload();
          }}
        />
      </div>
    </section>
  );
}
