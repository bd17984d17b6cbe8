// Launches Debian's Chromium through playwright-core (no browser download), collects
// console errors and uncaught exceptions of every page, and writes screenshots under
// target/e2e-screenshots/ for a human to review.
//
// `chromium.launch` gives each browser a fresh temporary profile (user-data-dir) of its
// own and deletes it on close.
//
// Without Chromium this module fails as it is imported, naming the missing
// executable: a test that started `kiln serve` before launching the browser would
// otherwise fail its hook and then wait for the server it never stopped.

import { accessSync, constants, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = path.resolve(here, "../../../target/e2e-screenshots");

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The Chromium the tests drive: $CHROMIUM_BIN, or Debian's. */
export const CHROMIUM_BIN = process.env.CHROMIUM_BIN || "/usr/bin/chromium";

try {
  accessSync(CHROMIUM_BIN, constants.X_OK);
} catch (error) {
  throw new Error(
    `no Chromium executable at ${CHROMIUM_BIN} (${error.code}): install Debian's chromium or set CHROMIUM_BIN`,
  );
}

/** Launches Chromium. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: ARGS,
  });
}

/**
 * Opens a page in a new context and records its console errors and page errors.
 * Returns {context, page, errors}; `errors` is the live list of messages.
 */
export async function openPage(browser, url, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const errors = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  await page.goto(url);
  return { context, page, errors };
}

/** Saves a full-page screenshot as target/e2e-screenshots/NAME.png. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
