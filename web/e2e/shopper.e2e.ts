/** A shopper's whole visit in Chromium against the real services: register, search, filter,
 * two products into the cart, a declined card, a retry that pays, the confirmation in the
 * inbox, then a cancellation that puts the stock back. */

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { categoryId, createProduct, login, type ProductJson } from "./api";
import {
  heading,
  launchBrowser,
  linkFromMail,
  PHONE,
  screenshot,
  submitRegistration,
  submitSignIn,
  uniqueEmail,
  visitor,
  type Visitor,
} from "./browser";

const stack = inject("stack");
const tag = Date.now().toString(36);
let browser: Browser;
let lantern: ProductJson;
let kettle: ProductJson;

beforeAll(async () => {
  browser = await launchBrowser();
  // Two products of this run, so what the shopper finds and the stock they see are known.
  const admin = await login(stack, stack.admin.email, stack.admin.password);
  const electronics = await categoryId(stack, "electronics");
  lantern = await createProduct(stack, admin, {
    name: `Wireless Camp Lantern ${tag}`,
    description: "A rechargeable lantern with a wireless charging base.",
    price: "24.50",
    sku: `LANTERN-${tag}`.toUpperCase(),
    stock: 5,
    category_id: electronics,
  });
  kettle = await createProduct(stack, admin, {
    name: `Wireless Travel Kettle ${tag}`,
    description: "A travel kettle with a wireless base, for camp and hotel.",
    price: "39.00",
    sku: `KETTLE-${tag}`.toUpperCase(),
    stock: 4,
    category_id: electronics,
  });
});

afterAll(async () => {
  await browser?.close();
});

async function stockShown(page: Page, product: ProductJson): Promise<string> {
  await page.goto(`${stack.web}/products/${product.id}`);
  await heading(page, product.name);
  return (await page.locator(".product-detail, main").getByText(/in stock|left|out of stock/i).first().textContent()) ?? "";
}

test("a shopper registers, finds, buys after a declined card, reads the confirmation, cancels and the stock comes back", async () => {
  const shopper: Visitor = await visitor(browser);
  const { page } = shopper;
  const email = uniqueEmail("shopper");

  // Register.
  await page.goto(stack.web);
  await page.getByRole("link", { name: "Register" }).click();
  await heading(page, "Register");
  await submitRegistration(page, "Ada Shopper", email, "correct-horse-battery");
  await page.getByText(`We sent a verification link to ${email}`).waitFor();
  await page.getByRole("button", { name: "Sign out" }).waitFor();

  // The verification email's link works.
  const verify = await linkFromMail(stack.dataDir, email, `${stack.web}/verify-email?token=`);
  await page.goto(verify);
  await page.getByText(/your email is verified/i).first().waitFor();

  // Search from the header, then filter by category and price: the URL is the view.
  await page.getByRole("searchbox", { name: "Search products" }).fill("wireless");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.waitForURL(/\/products\?q=wireless/);
  await page.getByRole("link", { name: lantern.name }).waitFor();
  await page.getByLabel("Category").selectOption("electronics");
  await page.waitForURL(/category=electronics/);
  await page.getByLabel("Max price").fill("30");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await page.waitForURL(/max_price=30/);
  await page.getByRole("link", { name: lantern.name }).waitFor();
  await page.getByRole("link", { name: kettle.name }).waitFor({ state: "detached" });
  const filtered = page.url();
  expect(new URL(filtered).searchParams.get("q")).toBe("wireless");
  await screenshot(page, "catalog-filtered-desktop");

  // A link reproduces the view: the kettle ($39) stays filtered out.
  await page.goto(filtered);
  await page.getByRole("link", { name: lantern.name }).waitFor();
  expect(await page.getByRole("link", { name: kettle.name }).count()).toBe(0);

  // Two products into the cart: one from the catalog card, two of another from its page.
  await page.getByRole("article", { name: lantern.name }).getByRole("button", { name: "Add to cart" }).click();
  await page.goto(`${stack.web}/products/${kettle.id}`);
  await heading(page, kettle.name);
  await page.getByLabel("Quantity").fill("2");
  await page.getByRole("button", { name: "Add to cart" }).click();
  await page.getByRole("link", { name: /cart, 3 items/i }).waitFor();
  await screenshot(page, "product-desktop");

  // The cart survives a reload.
  await page.goto(`${stack.web}/cart`);
  await page.reload();
  await heading(page, "Your cart");
  const lines = page.getByRole("list", { name: "Items in your cart" }).getByRole("listitem");
  await expect.poll(() => lines.count()).toBe(2);
  await page.getByText("$102.50").first().waitFor(); // 24.50 + 2 x 39.00
  await screenshot(page, "cart-desktop");

  // Checkout with the declined card.
  await page.getByRole("link", { name: /checkout/i }).first().click();
  await heading(page, "Checkout");
  await page.getByLabel("Full name").fill("Ada Shopper");
  await page.getByLabel("Address", { exact: true }).fill("1 Market Street");
  await page.getByLabel("City").fill("Springfield");
  await page.getByLabel("Postal code").fill("12345");
  await page.getByLabel("Country").fill("United States");
  await page.getByLabel("Declined card").check();
  await screenshot(page, "checkout-desktop");
  await page.getByRole("button", { name: "Place order" }).click();
  await heading(page, "Your card was declined");
  await screenshot(page, "payment-declined-desktop");

  // Retry with a good card: paid.
  await page.getByLabel("Visa (succeeds)").check();
  await page.getByRole("button", { name: /^Pay \$102\.50$/ }).click();
  await heading(page, /Thank you! Order MC-\w{4}-\w{4} is paid/);
  const orderNumber = /MC-\w{4}-\w{4}/.exec((await page.getByRole("heading", { level: 1 }).textContent()) ?? "")![0];
  await screenshot(page, "order-paid-desktop");
  expect(await stockShown(page, lantern)).toMatch(/only 4 left/i);

  // The confirmation is in the inbox (sent in the background: reload until it is there).
  await expect
    .poll(
      async () => {
        await page.goto(`${stack.web}/notifications`);
        await heading(page, "Inbox");
        await page.getByRole("list", { name: "Messages" }).or(page.getByText("No messages yet")).first().waitFor();
        return page.getByText(`Your Mercato order ${orderNumber} is confirmed`).count();
      },
      { timeout: 30_000, interval: 1_000 },
    )
    .toBeGreaterThan(0);
  await screenshot(page, "inbox-desktop");

  // Cancel from the order page: cancelled, refunded, and the stock is back.
  await page.getByRole("link", { name: "Orders", exact: true }).click();
  await heading(page, "Your orders");
  await page.getByRole("link", { name: orderNumber }).click();
  await heading(page, `Order ${orderNumber}`);
  await screenshot(page, "order-detail-desktop");
  await page.getByRole("button", { name: "Cancel order" }).click();
  await page.getByLabel("Reason (optional)").fill("Changed my mind");
  await page.getByRole("button", { name: "Confirm cancellation" }).click();
  await page.getByText(/refunded in full/i).first().waitFor();
  await page.locator(".badge", { hasText: "Cancelled" }).first().waitFor();
  expect(await stockShown(page, lantern)).toMatch(/only 5 left/i);
  expect(await stockShown(page, kettle)).toMatch(/only 4 left/i);

  expect(shopper.errors).toEqual([]);
  await shopper.context.close();
});

test("a guest's cart merges into the shopper's own cart at sign-in, and pages fit a phone", async () => {
  const email = uniqueEmail("merge");
  const first = await visitor(browser);
  // The shopper's own cart, saved while signed in.
  await first.page.goto(`${stack.web}/register`);
  await submitRegistration(first.page, "Bo Merger", email, "correct-horse-battery");
  await first.page.getByRole("button", { name: "Sign out" }).waitFor();
  await first.page.goto(`${stack.web}/products/${lantern.id}`);
  await first.page.getByRole("button", { name: "Add to cart" }).click();
  await first.page.getByRole("link", { name: /cart, 1 item/i }).waitFor();
  await first.page.getByRole("button", { name: "Sign out" }).click();
  await first.page.getByRole("link", { name: /cart, 0 items/i }).waitFor();

  // As a guest on a phone, then sign in: both lines are in the cart.
  await first.page.setViewportSize(PHONE);
  await first.page.goto(`${stack.web}/products/${kettle.id}`);
  await first.page.getByRole("button", { name: "Add to cart" }).click();
  await first.page.goto(`${stack.web}/cart`);
  await first.page.getByRole("link", { name: kettle.name }).waitFor();
  await first.page.getByRole("link", { name: /checkout/i }).first().click();
  await heading(first.page, "Sign in");
  await submitSignIn(first.page, email, "correct-horse-battery");
  await heading(first.page, "Checkout");
  await first.page.goto(`${stack.web}/cart`);
  const lines = first.page.getByRole("list", { name: "Items in your cart" }).getByRole("listitem");
  await expect.poll(() => lines.count()).toBe(2);
  const width = await first.page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(PHONE.width);
  await screenshot(first.page, "cart-phone");
  expect(first.errors).toEqual([]);
  await first.context.close();
});

test("a shopper who forgot the password resets it from the emailed link, once", async () => {
  const email = uniqueEmail("forgot");
  const { page, errors, context } = await visitor(browser);
  await page.goto(`${stack.web}/register`);
  await submitRegistration(page, "Cai Forgetful", email, "first-password-1");
  await page.getByRole("button", { name: "Sign out" }).click();
  // Signing out revokes the tokens on the server first: leaving before it is done would
  // leave this browser signed in.
  await page.getByRole("link", { name: "Sign in" }).waitFor();

  await page.goto(`${stack.web}/login`);
  await page.getByRole("link", { name: /forgot your password/i }).click();
  await heading(page, "Forgot password");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await page.getByText(/If an account exists for that email/).waitFor();

  const link = await linkFromMail(stack.dataDir, email, `${stack.web}/reset-password?token=`);
  await page.goto(link);
  await heading(page, "Reset password");
  await page.getByLabel("New password", { exact: true }).fill("second-password-2");
  await page.getByLabel("Confirm new password", { exact: true }).fill("second-password-2");
  await page.getByRole("button", { name: "Set new password" }).click();
  await page.getByText("Your password has been changed.").waitFor();

  // The link is spent; the new password signs in.
  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill("third-password-3");
  await page.getByLabel("Confirm new password", { exact: true }).fill("third-password-3");
  await page.getByRole("button", { name: "Set new password" }).click();
  await page.getByText(/invalid or has expired/i).first().waitFor();
  await page.goto(`${stack.web}/login`);
  await submitSignIn(page, email, "second-password-2");
  await page.getByRole("button", { name: "Sign out" }).waitFor();
  expect(errors).toEqual([]);
  await context.close();
});
