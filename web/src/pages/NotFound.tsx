import { Link } from "react-router-dom";
import { usePageTitle } from "../hooks/usePageTitle";

export function NotFoundPage() {
  usePageTitle("Page not found");
  return (
    <section className="page narrow">
      <h1>Page not found</h1>
      <p>There is nothing at this address. It may have moved, or the link may be mistyped.</p>
      <p>
        <Link to="/" className="button">
          Go to the home page
        </Link>{" "}
        <Link to="/products">Browse the shop</Link>
      </p>
    </section>
  );
}
