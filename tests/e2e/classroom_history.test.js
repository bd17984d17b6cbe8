// Full history: a student who opens the watch link at step ~500 of a C8H18 run, and the
// teacher's page reloaded there, both draw the run from step 0 (every event's step, 5
// apart) and their temperature axis reaches T0. A manual "step 10" is ten events.

import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage, screenshot } from "./support/browser.js";
import { startFromOwnerPage } from "./support/owner.js";
import { chartSteps, waitForStep } from "./support/page.js";
import { startKiln } from "./support/server.js";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const T0 = 50;
const STEPS_PER_EVENT = 5;

/** Differences between consecutive steps that are not `every`. */
function unevenSteps(steps, every) {
  const wrong = [];
  for (let i = 1; i < steps.length; i += 1) {
    if (steps[i] - steps[i - 1] !== every) wrong.push(`${steps[i - 1]} -> ${steps[i]}`);
  }
  return wrong;
}

/** Waits until the page's chart holds a point at or past `step`. */
async function waitForChartStep(page, step) {
  await page.waitForFunction((s) => window.kiln.chartSteps().some((x) => x >= s), step, { timeout: 20000 });
}

describe("the run's full history", () => {
  let kiln;
  let browser;
  let owner;
  let watcher;
  let sessionId;

  before(async () => {
    kiln = await startKiln();
    browser = await launchBrowser();
    ({ owner, sessionId } = await startFromOwnerPage(browser, kiln, {
      formula: "C8H18",
      initial_temp: T0,
      steps_per_cycle: 50000,
      steps_per_event: STEPS_PER_EVENT,
      max_events_per_sec: 40,
    }));
    await waitForStep(owner.page, 500);
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
  });

  it("is drawn from step 0 by a watcher that joins at step ~500", async () => {
    const href = await owner.page.locator("#share .watch-link").getAttribute("href");
    watcher = await openPage(browser, href, PHONE);
    await waitForStep(watcher.page, 520);
    await waitForChartStep(watcher.page, 520);
    const steps = await chartSteps(watcher.page);
    assert.equal(steps[0], 0, "the chart starts at step 0");
    assert.deepEqual(unevenSteps(steps, STEPS_PER_EVENT), [], "every event's step from 0, none missing");
    assert.equal((await watcher.page.evaluate(() => window.kiln.temperatureAxis()))[1], T0);
    await screenshot(watcher.page, "classroom-history-late-watcher-phone");
  });

  it("is drawn from step 0 by the owner's page reloaded mid-run", async () => {
    const before = await chartSteps(owner.page);
    await owner.page.reload();
    const reached = before[before.length - 1];
    await waitForStep(owner.page, reached + 20);
    await waitForChartStep(owner.page, reached + 20);
    assert.equal(await owner.page.evaluate(() => window.kiln.sessionId()), sessionId, "the same session");
    const steps = await chartSteps(owner.page);
    assert.equal(steps[0], 0, "the chart starts at step 0");
    assert.deepEqual(unevenSteps(steps, STEPS_PER_EVENT), [], "every event's step from 0, none missing");
    assert.equal((await owner.page.evaluate(() => window.kiln.temperatureAxis()))[1], T0);
    const csv = await owner.page.evaluate(() => window.kiln.csv());
    const csvSteps = csv.trim().split("\n").slice(1).map((line) => Number(line.split(",")[0]));
    assert.deepEqual(csvSteps.slice(0, steps.length), steps, "the CSV has every point the chart has");
  });

  it("answers GET /trace from step 0, bounded by max_points", async () => {
    const full = await (await fetch(`${kiln.url}/api/sa/${sessionId}/trace`)).json();
    assert.equal(full.points[0].step, 0);
    assert.equal(full.points[0].temperature, T0);
    const few = await (await fetch(`${kiln.url}/api/sa/${sessionId}/trace?max_points=10`)).json();
    assert.ok(few.points.length <= 11 && few.points.length >= 2, `${few.points.length} points`);
    assert.equal(few.points[0].step, 0);
    const bad = await fetch(`${kiln.url}/api/sa/${sessionId}/trace?max_points=0`);
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.field, "max_points");
  });

  it("sends an event for each of step?n=10's ten steps", async () => {
    const created = await (
      await fetch(`${kiln.url}/api/sa/configure`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ formula: "C6H14" }),
      })
    ).json();
    const steps = [];
    let buffer = "";
    const stream = http.get(`${kiln.url}/api/sa/${created.session_id}/stream`, {
      headers: { Accept: "text/event-stream" },
    });
    const ten = new Promise((resolve) => {
      stream.on("response", (response) => {
        response.setEncoding("utf8");
        response.on("data", (chunk) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.match(/^data: (.*)$/m);
            if (/^event: progress$/m.test(block) && data) steps.push(JSON.parse(data[1]).step);
            if (steps.length >= 10) resolve();
          }
        });
      });
    });
    stream.on("error", () => {});
    // The stream is open (its `connected` came first) before the step is asked for.
    await new Promise((resolve) => stream.on("response", resolve));
    const answer = await fetch(`${kiln.url}/api/sa/${created.session_id}/step?n=10`, {
      method: "POST",
      headers: { Authorization: `Bearer ${created.control_token}` },
    });
    assert.equal((await answer.json()).step, 10);
    await ten;
    stream.destroy();
    assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("logged no console errors", () => {
    assert.deepEqual(owner.errors, []);
    assert.deepEqual(watcher.errors, []);
  });
});
