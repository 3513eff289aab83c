/** Runtime configuration: `/config.js` (written by the server that serves the build) sets
 * `window.MERCATO_CONFIG`, so one build talks to whichever gateway it is deployed beside. */

declare global {
  interface Window {
    MERCATO_CONFIG?: { apiUrl?: string };
  }
}

const DEFAULT_API_URL = "http://127.0.0.1:8080";

export function apiUrl(): string {
  const configured = typeof window === "undefined" ? undefined : window.MERCATO_CONFIG?.apiUrl;
  return (configured || DEFAULT_API_URL).replace(/\/+$/, "");
}
