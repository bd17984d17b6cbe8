// The presentation layout: in projector mode at 1920x1080 and 1280x720, during a C8H18
// run, the current and best drawings, the chart and the key counters (step,
// temperature, energy, acceptance) all lie inside the viewport, with no scrolling; the
// room's QR sits in a corner. A phone shows the run before the form.
// Screenshots go to target/e2e-screenshots/ for review.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage, screenshot } from "./support/browser.js";
import { fillParams, waitForState, waitForStep } from "./support/page.js";
import { startKiln } from "./support/server.js";

/** Elements that must be fully on screen, by what a class needs to see. */
const MUST_SHOW = {
  "current drawing": "#current-svg",
  "best drawing": "#best-svg",
  chart: "#chart",
  step: "#stat-step",
  temperature: "#stat-temperature",
  "current energy": "#stat-current",
  "best energy": "#stat-best",
  acceptance: "#stat-acceptance",
};

describe("the presentation layout", () => {
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

  for (const [width, height] of [
    [1920, 1080],
    [1280, 720],
  ]) {
    it(`fits the drawings, chart and counters in ${width}x${height} in projector mode`, async () => {
      const { context, page, errors } = await openPage(browser, `${kiln.url}/`, { viewport: { width, height } });
      await page.locator("#param-formula").waitFor();
      await fillParams(page, { formula: "C8H18", steps_per_event: 5, max_events_per_sec: 30 });
      await page.getByRole("button", { name: "Start" }).click();
      await waitForState(page, "running");
      await waitForStep(page, 50);
      await page.locator("#projector").click();
      await page.locator("#best-svg").waitFor({ state: "visible" });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      for (const [what, selector] of Object.entries(MUST_SHOW)) {
        const box = await page.locator(selector).boundingBox();
        assert.ok(box, `${what} is shown`);
        assert.ok(box.width > 0 && box.height > 0, `${what} has a size: ${JSON.stringify(box)}`);
        assert.ok(
          box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5,
          `${what} lies inside ${width}x${height}: ${JSON.stringify(box)}`,
        );
      }
      for (const drawing of ["#current-svg", "#best-svg"]) {
        const box = await page.locator(drawing).boundingBox();
        assert.ok(box.height >= height * 0.2, `${drawing} is large enough to read: ${box.height}px of ${height}`);
      }
      const chart = await page.locator("#chart").boundingBox();
      assert.ok(chart.height >= height * 0.18, `the chart is large enough to read: ${chart.height}px`);
      const scroll = await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
      assert.ok(scroll <= 1, `no scrolling needed (${scroll}px more)`);
      // The room's corner (its code, and its QR when phones can reach the server) stays
      // on screen, off the drawings and the chart.
      const qr = await page.locator("#room").boundingBox();
      assert.ok(qr && qr.x + qr.width <= width && qr.y + qr.height <= height, "the room corner is on screen");
      for (const selector of ["#current-svg", "#best-svg", "#chart", "#counters"]) {
        const box = await page.locator(selector).boundingBox();
        const overlaps = qr.x < box.x + box.width && box.x < qr.x + qr.width && qr.y < box.y + box.height && box.y < qr.y + qr.height;
        assert.ok(!overlaps, `the QR does not cover ${selector}`);
      }
      await screenshot(page, `layout-projector-${width}x${height}`);
      await page.locator("#projector").click();
      assert.deepEqual(errors, []);
      await context.close();
    });
  }

  it("puts the run before the form on a phone", async () => {
    const { context, page, errors } = await openPage(browser, `${kiln.url}/`, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await page.locator("#param-formula").waitFor();
    const controls = await page.locator("#controls").boundingBox();
    const form = await page.locator("#setup").boundingBox();
    assert.ok(controls.y < form.y, `the run's controls (${controls.y}) come before the form (${form.y})`);
    const drawing = await page.locator("#current-svg").evaluate((img) => img.parentElement.getBoundingClientRect().y);
    assert.ok(drawing < form.y, "the drawings come before the form");
    await screenshot(page, "layout-phone");
    assert.deepEqual(errors, []);
    await context.close();
  });
});
