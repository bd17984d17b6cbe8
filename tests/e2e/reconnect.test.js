// The page's stream is cut mid-run (as on a flaky classroom network): the page says
// "reconnecting", then resumes from its last event id with no step missing from its chart.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { openViewer, status } from "./support/api.js";
import { launchBrowser, openPage, screenshot } from "./support/browser.js";
import { chartSteps, fillParams, gaps, waitForConnection, waitForStep } from "./support/page.js";
import { startProxy } from "./support/proxy.js";
import { startKiln } from "./support/server.js";

describe("a dropped stream connection", () => {
  let kiln;
  let proxy;
  let browser;
  let page;
  let errors;
  let closeViewer;

  before(async () => {
    kiln = await startKiln();
    proxy = await startProxy(kiln.url);
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser, `${proxy.url}/`, { viewport: { width: 1280, height: 900 } }));
  });

  after(async () => {
    closeViewer?.();
    await browser?.close();
    await proxy?.close();
    await kiln?.stop();
  });

  it("shows reconnecting, then resumes with every step in the chart data", async () => {
    await page.locator("#param-formula").waitFor();
    await fillParams(page, { formula: "C8H18", steps_per_cycle: 5000, steps_per_event: 1, max_events_per_sec: 30 });
    const configured = page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
    await page.getByRole("button", { name: "Start" }).click();
    const sessionId = (await (await configured).json()).session_id;
    // Another viewer keeps the session advancing while the page is cut off, so the page
    // must replay what it missed rather than simply carry on.
    closeViewer = openViewer(kiln.url, sessionId);
    await waitForStep(page, 10);
    await waitForConnection(page, "connected");

    proxy.cut();
    await waitForConnection(page, "reconnecting");
    await screenshot(page, "reconnecting-desktop");
    const lastSeen = Math.max(...(await chartSteps(page)));
    await waitForServerStep(kiln.url, sessionId, lastSeen + 20);

    proxy.restore();
    await waitForConnection(page, "connected");
    const resumedAt = (await status(kiln.url, sessionId)).step;
    await waitForStep(page, resumedAt + 5);

    const steps = await chartSteps(page);
    assert.ok(steps.includes(lastSeen + 1) && steps.includes(lastSeen + 20), "steps of the outage were replayed");
    assert.deepEqual(gaps(steps), [], "no step is missing from the chart data");
  });

  it("logged no console errors beyond the cut connection itself", (t) => {
    // Chromium itself logs the stream request the test broke (net::ERR_...); the page must add nothing.
    const own = errors.filter((e) => !/net::ERR_|Failed to load resource/.test(e));
    for (const e of errors.filter((e) => !own.includes(e))) t.diagnostic(`expected browser log: ${e}`);
    assert.deepEqual(own, []);
  });
});

async function waitForServerStep(baseUrl, sessionId, step) {
  const deadline = Date.now() + 20000;
  for (;;) {
    const now = (await status(baseUrl, sessionId)).step;
    if (now >= step) return now;
    if (Date.now() > deadline) throw new Error(`the session stayed at step ${now}, below ${step}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
