/** The stack serves the storefront's production build, which reaches the gateway. */

import { afterAll, beforeAll, expect, inject, test } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, visitor } from "./browser";

const stack = inject("stack");
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

test("the home page loads from the production build and an unknown route shows not found", async () => {
  const { page, errors, context } = await visitor(browser);
  const response = await page.goto(stack.web);
  expect(response?.status()).toBe(200);
  await expect.poll(() => page.title()).toContain("Mercato");
  await page.goto(`${stack.web}/no/such/page`);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  expect(errors).toEqual([]);
  await context.close();
});
