/** The shopper's inbox: every message the shop sent them (emails, and SMS or push once those
 * are configured), newest first, one page at a time (`/notifications?page=`). */

import { Fragment } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import type { Notification } from "../api/types";
import { Pagination } from "../components/Pagination";
import { EmptyState, ErrorState, Loading } from "../components/Status";
import { StatusBadge } from "../components/StatusBadge";
import { formatDateTime } from "../format/money";
import { useResource } from "../hooks/useResource";
import { usePageTitle } from "../hooks/usePageTitle";
import "./auth.css";

const PAGE_SIZE = 20;

const CHANNELS: Record<Notification["type"], string> = { email: "Email", sms: "SMS", push: "Push" };

function pageFrom(params: URLSearchParams): number {
  const page = Number(params.get("page"));
  return Number.isInteger(page) && page >= 1 ? page : 1;
}

/** The message as plain text with its line breaks; web addresses in it become links. */
function MessageText({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'])/);
  return (
    <p className="inbox-message">
      {parts.map((part, index) =>
        index % 2 === 1 ? (
          <a key={index} href={part} rel="noopener noreferrer">
            {part}
          </a>
        ) : (
          <Fragment key={index}>{part}</Fragment>
        ),
      )}
    </p>
  );
}

function Message({ notification }: { notification: Notification }) {
  const headingId = `message-${notification.id}`;
  return (
    <li>
      <article className="card inbox-item" aria-labelledby={headingId}>
        <header className="inbox-head">
          <h2 id={headingId}>{notification.title}</h2>
          <p className="inbox-meta">
            <span className="badge inbox-channel">{CHANNELS[notification.type] ?? notification.type}</span>{" "}
            <StatusBadge status={notification.status} />{" "}
            <time dateTime={notification.created_at}>{formatDateTime(notification.created_at)}</time>
          </p>
        </header>
        <MessageText text={notification.message} />
        {notification.status === "failed" && notification.last_error && (
          <p className="muted inbox-error">Not delivered: {notification.last_error}</p>
        )}
      </article>
    </li>
  );
}

export function NotificationsPage() {
  usePageTitle("Inbox");
  const [params] = useSearchParams();
  const page = pageFrom(params);
  const inbox = useResource(
    (signal) => unwrap(api.notifications.GET("/api/notifications", { params: { query: { page, limit: PAGE_SIZE } }, signal })),
    [page],
  );

  let content;
  if (inbox.status === "error") {
    content = <ErrorState error={inbox.error} onRetry={inbox.reload} title="Your messages could not be loaded." />;
  } else if (inbox.status === "loading") {
    content = <Loading label="Loading your messages…" />;
  } else if (inbox.data.items.length === 0) {
    content =
      inbox.data.total > 0 ? (
        <EmptyState title="This page is empty">
          <p>
            <Link to="/notifications">Go to your newest messages</Link>
          </p>
        </EmptyState>
      ) : (
        <EmptyState title="No messages yet">
          <p>Order confirmations, shipping notices and receipts will show up here.</p>
        </EmptyState>
      );
  } else {
    content = (
      <>
        <p className="muted">
          {inbox.data.total === 1 ? "1 message" : `${inbox.data.total} messages`}, newest first.
        </p>
        <ul className="inbox-list" aria-label="Messages">
          {inbox.data.items.map((notification) => (
            <Message key={notification.id} notification={notification} />
          ))}
        </ul>
        <Pagination
          page={inbox.data.page}
          pages={inbox.data.pages}
          hrefFor={(n) => (n === 1 ? "/notifications" : `/notifications?page=${n}`)}
          label="Message pages"
        />
      </>
    );
  }

  return (
    <section className="page inbox-page">
      <h1>Inbox</h1>
      {content}
    </section>
  );
}
