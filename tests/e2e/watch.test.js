// A second device opens the watch link: same run, same step numbers, no controls.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status } from "./support/api.js";
import { launchBrowser, openPage, screenshot } from "./support/browser.js";
import { startFromOwnerPage } from "./support/owner.js";
import { chartSteps, gaps, shownStep, waitForState, waitForStep } from "./support/page.js";
import { startKiln } from "./support/server.js";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

describe("the watch link", () => {
  let kiln;
  let browser;
  let owner;
  let watcher;
  let sessionId;

  before(async () => {
    kiln = await startKiln();
    browser = await launchBrowser();
    const params = { formula: "C8H18", steps_per_cycle: 5000, steps_per_event: 1, max_events_per_sec: 30 };
    ({ owner, sessionId } = await startFromOwnerPage(browser, kiln, params));
    await waitForStep(owner.page, 3);
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
  });

  // Served on loopback only, the panel shows the sharing hint in place of a QR code
  // (classroom_network.test.js); served on the network, the QR code's text is checked
  // in tests/serve_network.rs.
  it("is shown, and carries no control token", async () => {
    const link = owner.page.locator("#share .watch-link");
    await link.waitFor({ state: "visible" });
    const href = await link.getAttribute("href");
    assert.equal(new URL(href).pathname, `/watch/${sessionId}`);
    assert.doesNotMatch(href, /token/i);
    assert.doesNotMatch(owner.page.url(), /token/i);
    await screenshot(owner.page, "owner-with-watch-link-desktop");
  });

  it("opens a watch-only view on a phone that follows the run and has no controls", async () => {
    const href = await owner.page.locator("#share .watch-link").getAttribute("href");
    watcher = await openPage(browser, href, PHONE);
    const from = await shownStep(owner.page);
    await waitForStep(watcher.page, from + 5);
    assert.equal(await watcher.page.locator("button[data-action]").count(), 0, "no run controls");
    assert.equal(await watcher.page.locator("#setup").count(), 0, "no parameter form");
    assert.equal(await watcher.page.locator("#best-svg").isVisible(), true, "the molecule is drawn");
    await screenshot(watcher.page, "watcher-running-phone");
  });

  it("sees the same step numbers as the owner", async () => {
    await owner.page.getByRole("button", { name: "Pause" }).click();
    await waitForState(owner.page, "paused");
    const paused = (await status(kiln.url, sessionId)).step;
    await waitForStep(owner.page, paused);
    await waitForStep(watcher.page, paused);
    assert.equal(await shownStep(watcher.page), paused);
    assert.equal(await shownStep(owner.page), paused);
    await waitForState(watcher.page, "paused");

    const ownerSteps = await chartSteps(owner.page);
    const watcherSteps = await chartSteps(watcher.page);
    assert.deepEqual(gaps(watcherSteps), [], "the watcher got every step since it joined");
    assert.deepEqual(watcherSteps, ownerSteps.slice(ownerSteps.indexOf(watcherSteps[0])));
  });

  it("follows the owner's resume", async () => {
    const paused = await shownStep(watcher.page);
    await owner.page.getByRole("button", { name: "Resume" }).click();
    await waitForState(watcher.page, "running");
    await waitForStep(watcher.page, paused + 5);
  });

  it("logged no console errors on either device", () => {
    assert.deepEqual(owner.errors, []);
    assert.deepEqual(watcher.errors, []);
  });
});
