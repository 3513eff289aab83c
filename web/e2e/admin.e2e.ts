/** The shop's administrator in Chromium against the real services: the dashboard, a new
 * product that shoppers then find, an order shipped, a payment refunded in part. */

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { categoryId, createProduct, login, placePaidOrder, register, type OrderJson } from "./api";
import { DESKTOP, heading, launchBrowser, PHONE, screenshot, submitSignIn, uniqueEmail, visitor } from "./browser";

const stack = inject("stack");
const tag = Date.now().toString(36);
let browser: Browser;
let order: OrderJson;

beforeAll(async () => {
  browser = await launchBrowser();
  // A customer's paid order, placed through the API as any client would.
  const admin = await login(stack, stack.admin.email, stack.admin.password);
  const product = await createProduct(stack, admin, {
    name: `Trail Thermos ${tag}`,
    price: "18.00",
    sku: `THERMOS-${tag}`.toUpperCase(),
    stock: 20,
    category_id: await categoryId(stack, "sports-outdoors"),
  });
  const customer = await register(stack, uniqueEmail("customer"), "correct-horse-battery", "Cy Customer");
  order = await placePaidOrder(stack, customer, product.id, 2);
  expect(order.status).toBe("paid");
});

afterAll(async () => {
  await browser?.close();
});

/** Until nothing on the page is loading any more. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector(".status-loading") === null);
}

async function signInAsAdmin(page: Page): Promise<void> {
  await page.goto(`${stack.web}/login?next=/admin`);
  await submitSignIn(page, stack.admin.email, stack.admin.password);
  await heading(page, "Dashboard");
}

test("an admin creates a product that the storefront then shows", async () => {
  const { page, errors, context } = await visitor(browser);
  await signInAsAdmin(page);
  await page.getByRole("link", { name: order.order_number }).first().waitFor(); // today's orders
  await screenshot(page, "admin-dashboard-desktop");

  const name = `Summit Headlamp ${tag}`;
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Products" }).click();
  await heading(page, "Products");
  await page.getByRole("link", { name: "New product" }).click();
  await heading(page, "New product");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Description").fill("A bright, light headlamp for night hikes.");
  await page.getByLabel("Price").fill("34.90");
  await page.getByLabel("SKU").fill(`HEADLAMP-${tag}`.toUpperCase());
  await page.getByLabel("Stock", { exact: true }).fill("12");
  await page.getByLabel("Category").selectOption({ label: "Sports & Outdoors" });
  await page.getByRole("button", { name: "Create product" }).click();
  await page.getByText(`${name} was created.`).waitFor();

  // A shopper's view: the search finds it, its page shows its price.
  await page.goto(`${stack.web}/products?q=${encodeURIComponent(`headlamp ${tag}`)}`);
  await page.getByRole("link", { name }).click();
  await heading(page, name);
  await page.getByText("$34.90").first().waitFor();
  expect(errors).toEqual([]);
  await context.close();
});

test("an admin ships a paid order and refunds part of its payment", async () => {
  const { page, errors, context } = await visitor(browser);
  await signInAsAdmin(page);

  await page.goto(`${stack.web}/admin/orders?status=paid`);
  await heading(page, "Orders");
  await page.getByRole("link", { name: order.order_number }).click();
  await heading(page, `Order ${order.order_number}`);
  // Only the legal next move is offered.
  expect(await page.getByRole("button", { name: "Mark as shipped" }).count()).toBe(0);
  await page.getByRole("button", { name: "Mark as processing" }).click();
  await page.getByRole("button", { name: "Mark as shipped" }).waitFor();
  await page.getByLabel("Note (optional)").fill("Tracking 1Z999");
  await page.getByRole("button", { name: "Mark as shipped" }).click();
  await page.getByRole("button", { name: "Mark as delivered" }).waitFor();
  await page.getByText("Tracking 1Z999").first().waitFor(); // in the status history
  await screenshot(page, "admin-order-desktop");

  // Refund 5.00 of the 36.00 paid.
  const paymentId = order.payment!.id;
  await page.goto(`${stack.web}/admin/payments`);
  await heading(page, "Payments");
  await page.getByRole("link", { name: `Payment ${paymentId.split("-")[0]}`, exact: true }).click();
  await heading(page, `Payment ${paymentId.split("-")[0]}`);
  await page.getByLabel("Amount (USD)").fill("5.00");
  await page.getByLabel("Reason (optional)").fill("Dented lid");
  await page.getByRole("button", { name: "Refund this amount" }).click();
  await page.locator(".badge", { hasText: "Partially refunded" }).first().waitFor();
  await page.getByText("Up to").filter({ hasText: "$31.00" }).waitFor();
  // More than what remains is refused, and nothing changes.
  await page.getByLabel("Amount (USD)").fill("40.00");
  await page.getByRole("button", { name: "Refund this amount" }).click();
  await page.getByRole("alert").filter({ hasText: "No refund was made" }).waitFor();
  await page.getByText("Up to").filter({ hasText: "$31.00" }).waitFor();
  await screenshot(page, "admin-payment-desktop");
  expect(errors).toEqual([]);
  await context.close();
});

test("the main pages at desktop and phone width", async () => {
  for (const [size, viewport] of [["desktop", DESKTOP], ["phone", PHONE]] as const) {
    const { page, errors, context } = await visitor(browser, viewport);
    for (const [name, path, title] of [
      ["home", "/", /Good things/],
      ["catalog", "/products?category=electronics&sort=price", "Electronics"],
      ["login", "/login", "Sign in"],
      ["register", "/register", "Register"],
      ["not-found", "/no/such/page", "Page not found"],
    ] as const) {
      await page.goto(`${stack.web}${path}`);
      await heading(page, title);
      await settled(page);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${name} overflows at ${size} width`).toBeLessThanOrEqual(viewport.width);
      await screenshot(page, `${name}-${size}`);
    }
    await signInAsAdmin(page);
    await settled(page);
    await screenshot(page, `admin-dashboard-${size}`);
    await page.goto(`${stack.web}/admin/products`);
    await heading(page, "Products");
    await settled(page);
    await screenshot(page, `admin-products-${size}`);
    expect(errors).toEqual([]);
    await context.close();
  }
});
