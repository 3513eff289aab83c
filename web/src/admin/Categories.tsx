/** The categories, withdrawn ones included, each editable in place and withdrawn or brought
 * back with one button, and a form to add one. A withdrawn category leaves the shop's category
 * list; its products stay for sale. Categories are never deleted: past links keep working. */

import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ApiError, describeError, fieldMessages } from "../api/problem";
import type { Category } from "../api/types";
import { TextAreaField, TextField } from "../components/Field";
import { EmptyState, ErrorState, Loading, Notice } from "../components/Status";
import { useResource } from "../hooks/useResource";
import { usePageTitle } from "../hooks/usePageTitle";
import { ActionNotice, PageHeader, type Flash } from "./shared";

const EMPTY = { name: "", description: "", slug: "" };

/** A 409 on the slug belongs next to the slug field; other problems go where the API says. */
function categoryErrors(error: unknown, slugSent: boolean): Record<string, string> {
  if (error instanceof ApiError && error.status === 409 && error.code === "duplicate_slug") {
    return { slug: slugSent ? error.userMessage : `${error.userMessage} Choose another slug.` };
  }
  return fieldMessages(error);
}

function EditCategory({
  category,
  onSaved,
  onCancel,
}: {
  category: Category;
  onSaved: (saved: Category) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState({ name: category.name, description: category.description, slug: category.slug });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLDivElement>(null);
  useEffect(() => {
    first.current?.querySelector("input")?.focus();
  }, []);
  const errors = categoryErrors(error, true);
  const placed = ["name", "description", "slug"].some((field) => errors[field]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await unwrap(
        api.products.PUT("/api/categories/{category_id}", {
          params: { path: { category_id: category.id } },
          body: { name: values.name, description: values.description, slug: values.slug.trim() },
        }),
      );
      onSaved(saved);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  const set = (field: keyof typeof values) => (event: { target: { value: string } }) =>
    setValues({ ...values, [field]: event.target.value });
  return (
    <form className="admin-category-edit" aria-label={`Edit ${category.name}`} onSubmit={(event) => void submit(event)} noValidate>
      {error !== null && (
        <Notice kind="error">
          {placed ? "The category was not saved: some fields need attention." : `The category was not saved. ${describeError(error)}`}
        </Notice>
      )}
      <div ref={first}>
        <TextField label="Name" name="name" value={values.name} onChange={set("name")} error={errors.name} required />
      </div>
      <TextField
        label="Slug"
        name="slug"
        value={values.slug}
        onChange={set("slug")}
        error={errors.slug}
        hint="Changing it breaks links that use the old one."
        required
      />
      <TextAreaField
        label="Description"
        name="description"
        value={values.description}
        onChange={set("description")}
        error={errors.description}
        rows={2}
      />
      <div className="form-actions">
        <button type="submit" className="button small" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
        <button type="button" className="button secondary small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function CreateCategory({ onCreated }: { onCreated: (name: string) => void }) {
  const [values, setValues] = useState(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = categoryErrors(error, values.slug.trim() !== "");
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
  const categories = useResource(
    (signal) => unwrap(api.products.GET("/api/categories", { params: { query: { include_inactive: true } }, signal })),
    [],
  );
  const [flash, setFlash] = useState<Flash | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [changed, setChanged] = useState<Record<string, Category>>({});
  const [switching, setSwitching] = useState<string | null>(null);
  const items = categories.data?.items.map((category) => changed[category.id] ?? category);

  function saved(category: Category, text: string) {
    setChanged((current) => ({ ...current, [category.id]: category }));
    setFlash({ kind: "success", text });
  }

  async function setActive(category: Category, isActive: boolean) {
    setSwitching(category.id);
    try {
      const updated = await unwrap(
        api.products.PUT("/api/categories/{category_id}", {
          params: { path: { category_id: category.id } },
          body: { is_active: isActive },
        }),
      );
      saved(
        updated,
        isActive
          ? `${updated.name} is back in the shop's categories.`
          : `${updated.name} is withdrawn: shoppers no longer see it among the categories. Its products stay for sale.`,
      );
    } catch (caught) {
      setFlash({ kind: "error", text: `${category.name} was not changed: ${describeError(caught)}` });
    } finally {
      setSwitching(null);
    }
  }

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
              <table className="data admin-categories">
                <caption className="visually-hidden">Categories</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Slug</th>
                    <th scope="col" className="admin-number">Products</th>
                    <th scope="col">Status</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((category) =>
                    editing === category.id ? (
                      <tr key={category.id}>
                        <td colSpan={5}>
                          <EditCategory
                            category={category}
                            onCancel={() => setEditing(null)}
                            onSaved={(updated) => {
                              setEditing(null);
                              saved(updated, `${updated.name} was saved.`);
                            }}
                          />
                        </td>
                      </tr>
                    ) : (
                      <tr key={category.id} className={category.is_active ? undefined : "admin-withdrawn"}>
                        <th scope="row">
                          <Link to={`/admin/products?category=${encodeURIComponent(category.slug)}`}>{category.name}</Link>
                          {category.description && <div className="muted admin-small">{category.description}</div>}
                        </th>
                        <td>
                          <code>{category.slug}</code>
                        </td>
                        <td className="admin-number">{category.product_count}</td>
                        <td>{category.is_active ? "Active" : "Withdrawn"}</td>
                        <td>
                          <div className="admin-actions">
                            <button
                              type="button"
                              className="button secondary small"
                              aria-label={`Edit ${category.name}`}
                              onClick={() => setEditing(category.id)}
                            >
                              Edit
                            </button>
                            <button
                              type="button"
                              className="button secondary small"
                              aria-label={`${category.is_active ? "Withdraw" : "Bring back"} ${category.name}`}
                              disabled={switching === category.id}
                              onClick={() => void setActive(category, !category.is_active)}
                            >
                              {category.is_active ? "Withdraw" : "Bring back"}
                            </button>
                          </div>
                        </td>
                      </tr>
                    ),
                  )}
                </tbody>
              </table>
            </div>
          )}
          <p className="muted admin-small">
            A withdrawn category is hidden from shoppers' category lists; its products stay for sale. Categories are
            never deleted.
          </p>
        </div>
        <CreateCategory
          onCreated={(name) => {
            setFlash({ kind: "success", text: `${name} was created.` });
            setChanged({});
            categories.reload();
          }}
        />
      </div>
    </section>
  );
}
