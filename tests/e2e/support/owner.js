// The common fixture of the owner's-page tests: a fresh `kiln serve`, a browser, and
// the page opened at a desktop size, closed again after the suite.

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
