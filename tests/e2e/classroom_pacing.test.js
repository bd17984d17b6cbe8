// Live pacing: the teacher slows a running C8H18 run from 20 to 5 events per second in
// the page's speed field. The same session goes on at the new rate within a second, and
// the owner and a phone watching it stay on it (no new session, no reconnect).
//
// The rate is measured from the arrival times of the session's progress events, read
// by a third viewer straight from the server's stream.

import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage, screenshot } from "./support/browser.js";
import { startFromOwnerPage } from "./support/owner.js";
import { fillParams, waitForStep } from "./support/page.js";
import { startKiln } from "./support/server.js";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Reads a session's stream and notes when each progress event arrives. */
function recordProgressTimes(baseUrl, sessionId) {
  const times = [];
  let buffer = "";
  const request = http.get(`${baseUrl}/api/sa/${sessionId}/stream`, {
    headers: { Accept: "text/event-stream" },
  });
  request.on("response", (response) => {
    response.setEncoding("utf8");
    response.on("data", (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event: progress$/m.test(block)) times.push(performance.now());
      }
    });
  });
  request.on("error", () => {});
  return { times, close: () => request.destroy() };
}

/** Events per second among `times` within [from, to). */
function rate(times, from, to) {
  return times.filter((t) => t >= from && t < to).length / ((to - from) / 1000);
}

/** Resolves after `ms`, for letting a measured window of events go by (not a wait for a condition). */
const letPass = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe("live pacing", () => {
  let kiln;
  let browser;
  let owner;
  let watcher;
  let sessionId;
  let probe;

  before(async () => {
    kiln = await startKiln();
    browser = await launchBrowser();
    ({ owner, sessionId } = await startFromOwnerPage(browser, kiln, {
      formula: "C8H18",
      steps_per_cycle: 100000,
      steps_per_event: 1,
      max_events_per_sec: 20,
    }));
    await waitForStep(owner.page, 3);
    const href = await owner.page.locator("#share .watch-link").getAttribute("href");
    watcher = await openPage(browser, href, PHONE);
    await waitForStep(watcher.page, 5);
    probe = recordProgressTimes(kiln.url, sessionId);
  });

  after(async () => {
    probe?.close();
    await browser?.close();
    await kiln?.stop();
  });

  it("changes the running session from 20 to 5 events per second within a second", async () => {
    await letPass(2500);
    const before = performance.now();
    const fast = rate(probe.times, before - 2000, before);
    assert.ok(fast >= 12 && fast <= 21, `about 20 events/s before the change, got ${fast}`);

    const answered = owner.page.waitForResponse((r) => r.url().endsWith(`/api/sa/${sessionId}/pacing`));
    const changed = performance.now();
    await fillParams(owner.page, { max_events_per_sec: 5 });
    const answer = await answered;
    assert.equal(answer.status(), 200);
    assert.equal((await answer.json()).pacing.max_events_per_sec, 5);

    await letPass(4000);
    // Within a second of the change the events come 200 ms apart: none closer than
    // 150 ms (a 20/s run sends them 50 ms apart), and about 5 a second.
    const settled = probe.times.filter((t) => t >= changed + 1000);
    const gaps = settled.slice(1).map((t, i) => t - settled[i]);
    assert.ok(gaps.length >= 8, `events went on after the change (${gaps.length + 1} arrived)`);
    assert.ok(Math.min(...gaps) >= 150, `5 events/s means 200 ms apart, got gaps ${gaps.map(Math.round)}`);
    const slow = rate(probe.times, changed + 1000, changed + 4000);
    assert.ok(slow >= 3.5 && slow <= 5.5, `about 5 events/s after the change, got ${slow}`);
  });

  it("keeps the owner and the watcher on the same session, with their streams open", async () => {
    for (const { page } of [owner, watcher]) {
      assert.equal(await page.evaluate(() => window.kiln.sessionId()), sessionId);
      assert.equal(await page.evaluate(() => window.kiln.eventCount("connected")), 1, "no reconnect");
      assert.equal(await page.evaluate(() => window.kiln.connection()), "connected");
    }
    const step = await owner.page.evaluate(() => Number(document.querySelector("#stat-step").textContent.replaceAll(",", "")));
    await waitForStep(watcher.page, step + 3);
    const listing = await (await fetch(`${kiln.url}/api/sa`)).json();
    assert.deepEqual(
      listing.sessions.map((s) => s.session_id),
      [sessionId],
      "changing the speed made no new session",
    );
    assert.equal(await owner.page.locator("#form-hint").isVisible(), false, "no 'Start creates a new session'");
    await screenshot(owner.page, "classroom-pacing-owner");
  });

  it("logged no console errors on either device", () => {
    assert.deepEqual(owner.errors, []);
    assert.deepEqual(watcher.errors, []);
  });
});
