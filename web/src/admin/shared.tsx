/** Small pieces every admin page shares: reading the page number from the URL, building a URL
 * that keeps the rest of the query, a list's search box, and a short form of ids for tables. */

import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { ApiError } from "../api/problem";
import { Notice } from "../components/Status";

/** `?page=` as a whole number from 1, whatever was typed into the address bar. */
export function pageFrom(params: URLSearchParams): number {
  const page = Number(params.get("page"));
  return Number.isInteger(page) && page >= 1 ? page : 1;
}

/** `path?query` with `changes` applied (empty values dropped); page 1 is left implicit. */
export function hrefWith(path: string, params: URLSearchParams, changes: Record<string, string | number | null>): string {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === "" || (key === "page" && value === 1)) next.delete(key);
    else next.set(key, String(value));
  }
  const query = next.toString();
  return query ? `${path}?${query}` : path;
}

/** `params` with `changes` applied (empty values dropped) and back on the first page: a new
 * search or filter shows its results from the top. */
export function filtered(params: URLSearchParams, changes: Record<string, string>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value) next.set(key, value);
    else next.delete(key);
  }
  next.delete("page");
  return next;
}

/** The search box of a list: the words being typed, reset when `?q=` changes (a link, the back
 * button), and a submit that puts them in the address. */
export function useSearchBox(params: URLSearchParams, setParams: (next: URLSearchParams) => void) {
  const current = params.get("q") ?? "";
  const [q, setQ] = useState(current);
  useEffect(() => setQ(current), [current]);

  function submit(event: FormEvent) {
    event.preventDefault();
    setParams(filtered(params, { q: q.trim() }));
  }

  return { q, setQ, submit };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the record with the id from the address, or fails as a 404 without asking the API
 * when the id cannot be one (so a mistyped address costs no failed request). */
export function byId<T>(id: string, read: () => Promise<T>): Promise<T> {
  return UUID.test(id) ? read() : Promise.reject(new ApiError(404, { status: 404, title: "Not found." }));
}

/** The first block of a UUID: enough to tell rows apart at a glance. */
export function shortId(id: string): string {
  return id.split("-")[0] ?? id;
}

/** Cents of a decimal string, so sums and differences of money are exact. */
export function cents(amount: string | number): number {
  return Math.round(Number(amount) * 100);
}

/** What an action answered, shown until the next one. A new object each time, so the same
 * words twice still count as a new message. */
export interface Flash {
  kind: "error" | "success";
  text: ReactNode;
}

/** A message after an action, focused when it appears so keyboard and screen reader users
 * hear it (and are not left on a button that just disappeared). */
export function ActionNotice({ flash }: { flash: Flash | null }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (flash) ref.current?.focus();
  }, [flash]);
  if (!flash) return null;
  return (
    <div ref={ref} tabIndex={-1} className="admin-notice">
      <Notice kind={flash.kind}>{flash.text}</Notice>
    </div>
  );
}

/** A `<h1>` with the page's own actions beside it. */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="admin-page-header">
      <h1>{title}</h1>
      {children && <div className="admin-page-actions">{children}</div>}
    </div>
  );
}
