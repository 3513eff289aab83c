/** The shop's accounts (`?q=&page=`): each one's role and status changed in place. An admin
 * cannot demote or suspend themself here (the service refuses it too): another admin must. */

import { useEffect, useId, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { describeError } from "../api/problem";
import type { User } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { Pagination } from "../components/Pagination";
import { EmptyState, ErrorState, Loading } from "../components/Status";
import { StatusBadge } from "../components/StatusBadge";
import { formatDate } from "../format/money";
import { useResource } from "../hooks/useResource";
import { usePageTitle } from "../hooks/usePageTitle";
import { ActionNotice, hrefWith, PageHeader, pageFrom, useSearchBox, type Flash } from "./shared";

const LIMIT = 20;
type Change = { role: User["role"] } | { status: User["status"] };

function UserRow({ user, isSelf, onChange }: {
  user: User;
  isSelf: boolean;
  onChange: (user: User, change: Change) => Promise<void>;
}) {
  const [busy, setBusy] = useState(false);
  const selfNote = useId();
  const who = user.name || user.email;

  async function change(next: Change) {
    setBusy(true);
    try {
      await onChange(user, next);
    } finally {
      setBusy(false);
    }
  }

  const admin = user.role === "admin";
  const active = user.status === "active";
  return (
    <tr>
      <th scope="row">{user.name || <span className="muted">—</span>}</th>
      <td>{user.email}</td>
      <td>{admin ? <span className="badge badge-shipped">Admin</span> : "Customer"}</td>
      <td>
        <StatusBadge status={user.status} />
      </td>
      <td>{user.email_verified ? "Yes" : "No"}</td>
      <td>{formatDate(user.created_at)}</td>
      <td className="admin-row-actions">
        <div className="admin-actions">
          <button
            type="button"
            className="button small secondary"
            disabled={busy || (isSelf && admin)}
            aria-describedby={isSelf ? selfNote : undefined}
            aria-label={`${admin ? "Make customer" : "Make admin"}: ${who}`}
            onClick={() => void change({ role: admin ? "customer" : "admin" })}
          >
            {admin ? "Make customer" : "Make admin"}
          </button>
          <button
            type="button"
            className={`button small ${active ? "danger" : "secondary"}`}
            disabled={busy || (isSelf && active)}
            aria-describedby={isSelf ? selfNote : undefined}
            aria-label={`${active ? "Suspend" : "Reinstate"} ${who}`}
            onClick={() => void change({ status: active ? "suspended" : "active" })}
          >
            {active ? "Suspend" : "Reinstate"}
          </button>
          <Link
            className="button small secondary"
            to={`/admin/orders?user_id=${encodeURIComponent(user.id)}`}
            aria-label={`Orders of ${who}`}
          >
            Orders
          </Link>
        </div>
        {isSelf && (
          <p id={selfNote} className="muted admin-small admin-self-note">
            This is you: you cannot demote or suspend yourself. Another admin can.
          </p>
        )}
      </td>
    </tr>
  );
}

function SearchForm({ params }: { params: URLSearchParams }) {
  const [, setParams] = useSearchParams();
  const { q, setQ, submit } = useSearchBox(params, setParams);

  return (
    <form className="toolbar" role="search" aria-label="Users" onSubmit={submit}>
      <div className="field">
        <label htmlFor="admin-user-q">Search by name or email</label>
        <input id="admin-user-q" type="search" value={q} onChange={(event) => setQ(event.target.value)} />
      </div>
      <button type="submit" className="button">
        Search
      </button>
    </form>
  );
}

function describeChange(user: User, change: Change): string {
  const who = user.name || user.email;
  if ("role" in change) return change.role === "admin" ? `${who} is now an admin.` : `${who} is now a customer.`;
  return change.status === "suspended" ? `${who} is suspended and signed out everywhere.` : `${who} is active again.`;
}

export function UsersPage() {
  usePageTitle("Users · Admin");
  const { user: me } = useAuth();
  const [params] = useSearchParams();
  const page = pageFrom(params);
  const q = params.get("q") ?? "";
  const users = useResource(
    (signal) => unwrap(api.users.GET("/api/users", { params: { query: { page, limit: LIMIT, ...(q ? { q } : {}) } }, signal })),
    [page, q],
  );
  const [changed, setChanged] = useState<Record<string, User>>({});
  const [flash, setFlash] = useState<Flash | null>(null);
  const data = users.data;
  // A fresh list already holds the changes made here.
  useEffect(() => setChanged({}), [data]);

  async function change(user: User, next: Change) {
    try {
      const saved = await unwrap(api.users.PATCH("/api/users/{user_id}", { params: { path: { user_id: user.id } }, body: next }));
      setChanged((previous) => ({ ...previous, [saved.id]: saved }));
      setFlash({ kind: "success", text: describeChange(saved, next) });
    } catch (error) {
      setFlash({ kind: "error", text: `${user.name || user.email} was not changed: ${describeError(error)}` });
    }
  }

  return (
    <section>
      <PageHeader title="Users" />
      <SearchForm params={params} />
      <ActionNotice flash={flash} />
      {data === undefined ? (
        users.status === "error" ? (
          <ErrorState error={users.error} onRetry={users.reload} />
        ) : (
          <Loading label="Loading users…" />
        )
      ) : data.items.length === 0 ? (
        <EmptyState title={q ? "No user matches this search." : "There are no users yet."} />
      ) : (
        <>
          {users.status === "error" && <ErrorState error={users.error} onRetry={users.reload} />}
          <p className="muted" aria-live="polite">
            {data.total} {data.total === 1 ? "user" : "users"}
            {users.status === "loading" ? " · updating…" : ""}
          </p>
          <div className="table-wrap">
            <table className="data admin-users">
              <caption className="visually-hidden">Users, page {data.page}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Verified</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((listed) => {
                  const user = changed[listed.id] ?? listed;
                  return <UserRow key={user.id} user={user} isSelf={user.id === me?.id} onChange={change} />;
                })}
              </tbody>
            </table>
          </div>
          <Pagination page={page} pages={data.pages} hrefFor={(n) => hrefWith("/admin/users", params, { page: n })} label="User pages" />
        </>
      )}
    </section>
  );
}
