// Links outliving their moment: a reloaded owner tab keeps control of its run, and a
// watch link to a session that no longer exists says so instead of spinning.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage } from "./support/browser.js";
import { fillParams, waitForConnection, waitForState, waitForStep } from "./support/page.js";
import { startKiln } from "./support/server.js";

describe("session links", () => {
  let kiln;
  let browser;

  before(async () => {
    kiln = await startKiln();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
  });

  it("a reloaded owner tab reattaches to its run and can still pause it", async () => {
    const { page, errors } = await openPage(browser, `${kiln.url}/`);
    await page.locator("#param-formula").waitFor();
    await fillParams(page, { steps_per_cycle: 5000, max_events_per_sec: 30 });
    await page.getByRole("button", { name: "Start" }).click();
    await waitForStep(page, 3);
    await page.reload();
    await waitForState(page, "running");
    await waitForStep(page, 5);
    assert.doesNotMatch(page.url(), /token/i, "the token lives in sessionStorage, not the URL");
    await page.getByRole("button", { name: "Pause" }).click();
    await waitForState(page, "paused");
    assert.deepEqual(errors, []);
  });

  it("a watch link to an unknown session shows failed and says the run is gone", async () => {
    const { page, errors } = await openPage(browser, `${kiln.url}/watch/00000000-0000-4000-8000-000000000000`);
    await waitForConnection(page, "failed");
    const message = await page.locator("#run-message").textContent();
    assert.match(message, /^This run no longer exists: /);
    assert.match(message, /room code .* \/r\./, "it says the one way on: the room code");
    // Chromium logs the 404 itself; the page adds nothing.
    assert.deepEqual(errors.filter((e) => !/status of 404/.test(e)), []);
  });
});
