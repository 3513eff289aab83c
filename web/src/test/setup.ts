/** Runs around every unit test: jest-dom's matchers, and a clean page, storage, session and
 * `fetch` after each test, so no test sees what the one before it left. */

import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, vi } from "vitest";
import { session } from "../api/session";

afterEach(() => {
  // Unmount first, so signing out does not update a page nobody looks at.
  cleanup();
  session.clear("logout");
  localStorage.clear();
  vi.unstubAllGlobals();
});
