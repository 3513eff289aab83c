import { defineConfig } from "vitest/config";

/** The browser tests: Debian's Chromium driven by playwright-core against a real `mercato up`
 * (one stack for the run, started by e2e/globalSetup.ts on free ports with a throwaway data dir). */
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    globalSetup: ["./e2e/globalSetup.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["default"],
  },
});
