// The common fixture of the owner's-page tests: a fresh `kiln serve`, a browser, and
// the page opened at a desktop size, closed again after the suite.

import { after, before } from "node:test";
import { launchBrowser, openPage } from "./browser.js";
import { fillParams } from "./page.js";
import { startKiln } from "./server.js";

export const DESKTOP = { viewport: { width: 1280, height: 900 } };

/** Starts a server and opens its page; returns {kiln, browser, page, errors, close()}. */
export async function openOwnerPage() {
  const kiln = await startKiln();
  const browser = await launchBrowser();
  const { page, errors } = await openPage(browser, `${kiln.url}/`, DESKTOP);
  return {
    kiln,
    browser,
    page,
    errors,
    async close() {
      await browser.close();
      await kiln.stop();
    },
  };
}

/**
 * The owner's page for the tests of the enclosing `describe`: registers its `before`
 * (a fresh server and browser, the page opened and its form loaded) and its `after`
 * (both closed). Returns the fixture; its `page`, `errors` and `kiln` are there once
 * `before` has run, so a test reads them inside its body: `const { page } = owner`.
 */
export function ownerPageForSuite() {
  const fixture = {};
  before(async () => {
    Object.assign(fixture, await openOwnerPage());
    await fixture.page.locator("#param-formula").waitFor();
  });
  after(async () => {
    await fixture.close?.();
  });
  return fixture;
}

/**
 * Opens the owner's page of `kiln` in `browser`, fills `params` and presses Start,
 * as a teacher does: resolves to {owner: {page, errors, context}, sessionId}.
 */
export async function startFromOwnerPage(browser, kiln, params) {
  const owner = await openPage(browser, `${kiln.url}/`, DESKTOP);
  await owner.page.locator("#param-formula").waitFor();
  await fillParams(owner.page, params);
  const configured = owner.page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
  await owner.page.getByRole("button", { name: "Start" }).click();
  return { owner, sessionId: (await (await configured).json()).session_id };
}
