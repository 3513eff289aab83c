/** Debian's Chromium through playwright-core, a fresh context (its own storage) per shopper,
 * console errors collected so a test can insist there were none. */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 390, height: 844 };
export const SCREENSHOTS = resolve(import.meta.dirname, "../test-results/screenshots");

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.MERCATO_CHROMIUM || "/usr/bin/chromium";
  return chromium.launch({ executablePath, args: FLAGS, headless: true });
}

export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far (failed HTTP answers excluded: the
   * browser logs every 4xx, which a test may provoke on purpose). */
  errors: string[];
}

export async function visitor(browser: Browser, viewport = DESKTOP): Promise<Visitor> {
  const context = await browser.newContext({ viewport, locale: "en-US", timezoneId: "UTC" });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    if (message.text().startsWith("Failed to load resource")) return;
    errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Every `.eml` in the stack's mailbox whose To is `email`, oldest first, as text. */
export function mailTo(dataDir: string, email: string): string[] {
  const mailbox = join(dataDir, "mail");
  let names: string[];
  try {
    names = readdirSync(mailbox).filter((name) => name.endsWith(".eml")).sort();
  } catch {
    return [];
  }
  return names
    .map((name) => decodeMail(readFileSync(join(mailbox, name), "utf8")))
    .filter((text) => new RegExp(`^To: .*${email.replace(/[.+]/g, "\\$&")}`, "mi").test(text));
}

/** The message with quoted-printable soft breaks and escapes undone, enough to find links. */
function decodeMail(raw: string): string {
  return raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Waits until a mail to `email` contains a link starting with `prefix`, and answers it. */
export async function linkFromMail(dataDir: string, email: string, prefix: string, timeoutMs = 20_000): Promise<string> {
  const pattern = new RegExp(`${prefix.replace(/[.?*+^$()[\]{}|\\/]/g, "\\$&")}[^\\s"'<>]+`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const text of mailTo(dataDir, email).reverse()) {
      const match = pattern.exec(text);
      if (match) return match[0].replace(/&amp;/g, "&");
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${email} with a link to ${prefix}`);
    await new Promise((wake) => setTimeout(wake, 250));
  }
}

export function uniqueEmail(tag: string): string {
  return `${tag}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@shop.example.com`;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "mercato-browser-"));
}

/** Until the page's one `<h1>` reads `name`. */
export async function heading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

/** Fills the registration form a visitor is on and sends it. */
export async function submitRegistration(page: Page, name: string, email: string, password: string): Promise<void> {
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
}

/** Fills the sign-in form a visitor is on and sends it. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
