import { render, screen } from "@testing-library/react";
import { vi } from "vitest";
import { ErrorBoundary } from "./ErrorBoundary";

function Broken(): never {
  throw new Error("render failed");
}

test("a page that throws while rendering shows a message with a way on, not a blank screen", () => {
  vi.spyOn(console, "error").mockImplementation(() => undefined);
  const { rerender } = render(
    <ErrorBoundary resetKey="/broken">
      <Broken />
    </ErrorBoundary>,
  );
  expect(screen.getByRole("heading", { name: "Something went wrong" })).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Reload the page" })).toBeInTheDocument();

  // Navigating elsewhere renders the next page again.
  rerender(
    <ErrorBoundary resetKey="/fine">
      <p>The next page</p>
    </ErrorBoundary>,
  );
  expect(screen.getByText("The next page")).toBeInTheDocument();
});
