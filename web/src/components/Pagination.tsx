/** Page links for a paginated list; each page is a URL, so a link reproduces the view. */

import { Link } from "react-router-dom";

export function Pagination({ page, pages, hrefFor, label = "Pages" }: {
  page: number;
  pages: number;
  hrefFor: (page: number) => string;
  label?: string;
}) {
  if (pages <= 1) return null;
  const shown = new Set([1, pages, page - 1, page, page + 1].filter((n) => n >= 1 && n <= pages));
  const numbers = [...shown].sort((a, b) => a - b);
  return (
    <nav className="pagination" aria-label={label}>
      {page > 1 ? (
        <Link to={hrefFor(page - 1)} rel="prev">
          ‹ Previous
        </Link>
      ) : (
        <span aria-disabled="true">‹ Previous</span>
      )}
      <ul>
        {numbers.map((n, index) => (
          <li key={n}>
            {index > 0 && numbers[index - 1] !== n - 1 && <span aria-hidden="true">…</span>}
            {n === page ? (
              <span aria-current="page">{n}</span>
            ) : (
              <Link to={hrefFor(n)} aria-label={`Page ${n}`}>
                {n}
              </Link>
            )}
          </li>
        ))}
      </ul>
      {page < pages ? (
        <Link to={hrefFor(page + 1)} rel="next">
          Next ›
        </Link>
      ) : (
        <span aria-disabled="true">Next ›</span>
      )}
    </nav>
  );
}
