// A restart loses nothing (issue 9, DESIGN.md section 8): the owner's page and two
// watchers' phones are open on a running C8H18 session when the server is killed with
// SIGKILL at step ~500; started again on the same port and --data-dir, all three pages
// go on with the same session, from the same step, to the end: their chart data has
// every step once (steps_per_event 1), no page reloaded (a marker set before the kill
// survives), and the only console errors are the failed connections of the outage. A
// page reloaded while a long session is still being rebuilt waits for it.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage, screenshot } from "./support/browser.js";
import { startFromOwnerPage } from "./support/owner.js";
import { chartSteps, gaps, shownStep, waitForState, waitForStep } from "./support/page.js";
import { startKiln } from "./support/server.js";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const TOTAL = 1000;
const NETWORK_ERROR = /net::ERR_|Failed to load resource/;

describe("a server killed mid-run and started again", () => {
  let dataDir;
  let kiln;
  let browser;
  let owner;
  let watchers;
  let sessionId;
  let killedAt;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "kiln-restart-"));
    kiln = await startKiln(["--data-dir", dataDir]);
    browser = await launchBrowser();
    const params = { formula: "C8H18", steps_per_cycle: TOTAL, num_cycles: 1, steps_per_event: 1 };
    ({ owner, sessionId } = await startFromOwnerPage(browser, kiln, { ...params, max_events_per_sec: 60 }));
    await waitForStep(owner.page, 50);
    const href = await owner.page.locator("#share .watch-link").getAttribute("href");
    watchers = [await openPage(browser, href, PHONE), await openPage(browser, href, PHONE)];
    for (const w of watchers) await waitForStep(w.page, 100);
    await waitForStep(owner.page, 500, 30000);
    for (const p of [owner, ...watchers]) await p.page.evaluate(() => (window.beforeTheKill = "still here"));
    await kiln.kill9();
    killedAt = Math.max(...(await Promise.all([owner, ...watchers].map((p) => chartSteps(p.page)))).map((s) => s.at(-1)));
    kiln = await startKiln(["--data-dir", dataDir], { addr: new URL(kiln.url).host });
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("restored the session", async (t) => {
    await kiln.stderrMatch(new RegExp(`session ${sessionId.slice(0, 8)} restored`));
    t.diagnostic(`killed with a page at step ${killedAt}; ${kiln.stderr().trim()}`);
  });

  for (const [index, name] of ["owner", "watcher 1", "watcher 2"].entries()) {
    it(`the ${name}'s page goes on with the same session to the end, every step once, with no reload`, async () => {
      const page = [owner, ...watchers][index].page;
      await waitForStep(page, TOTAL, 60000);
      await page.waitForFunction((total) => window.kiln.chartSteps().at(-1) === total, TOTAL, { timeout: 20000 });
      assert.equal(await page.evaluate(() => window.kiln.sessionId()), sessionId, "the same session");
      assert.equal(await page.evaluate(() => window.beforeTheKill), "still here", "the page was not reloaded");
      const steps = await chartSteps(page);
      assert.ok(steps.at(-1) > killedAt, `steps after the kill at ${killedAt}`);
      assert.equal(steps[0], 0, "the chart starts at step 0");
      assert.deepEqual(gaps(steps), [], "no step missing or repeated");
      assert.equal(steps.length, TOTAL + 1);
      await screenshot(page, `classroom-restart-${name.replace(" ", "-")}`);
    });
  }

  it("logged no console errors beyond the connections refused during the outage", (t) => {
    for (const p of [owner, ...watchers]) {
      const own = p.errors.filter((e) => !NETWORK_ERROR.test(e));
      for (const e of p.errors.filter((e) => NETWORK_ERROR.test(e))) t.diagnostic(`expected browser log: ${e}`);
      assert.deepEqual(own, []);
    }
  });
});

// A session the restarted server does not have (it came back without its data): the
// owner's page says the run is gone and offers one button, a new run with the same
// settings, which starts it.
describe("a session the restarted server no longer has", () => {
  let kiln;
  let browser;
  let owner;
  let oldId;

  before(async () => {
    kiln = await startKiln();
    browser = await launchBrowser();
    const params = { formula: "C6H14", steps_per_cycle: 3000, num_cycles: 1, steps_per_event: 1 };
    ({ owner, sessionId: oldId } = await startFromOwnerPage(browser, kiln, params));
    await waitForStep(owner.page, 20);
    await kiln.kill9();
    kiln = await startKiln([], { addr: new URL(kiln.url).host });
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
  });

  it("says the run is gone and starts a new one with the same settings from one button", async () => {
    const button = owner.page.getByRole("button", { name: "New run with the same settings" });
    await button.waitFor({ timeout: 30000 });
    assert.match(await owner.page.locator("#run-message").textContent(), /gone/);
    await screenshot(owner.page, "classroom-restart-gone-owner");
    await button.click();
    await owner.page.waitForFunction((old) => window.kiln.sessionId() && window.kiln.sessionId() !== old, oldId);
    await waitForStep(owner.page, 10);
    const id = await owner.page.evaluate(() => window.kiln.sessionId());
    const status = await (await fetch(`${kiln.url}/api/sa/${id}/status`)).json();
    assert.equal(status.state, "running");
    assert.equal(status.spec.formula, "C6H14", "the same formula");
    assert.equal(status.config.steps_per_cycle, 3000, "the same settings");
    assert.equal(await button.count(), 0, "the notice is gone with the old run");
  });

  it("logged no console errors beyond the outage and the 404 that told it", () => {
    assert.deepEqual(owner.errors.filter((e) => !NETWORK_ERROR.test(e)), []);
  });
});

// A long run is rebuilt after a restart while the server already answers: a page
// reloaded in that time waits for its session (the server says 503 "restoring" with
// Retry-After) instead of losing it, and goes on with it once it is back.
describe("a page reloaded while its long session is being rebuilt", () => {
  const LONG = 30_000_000;
  let dataDir;
  let kiln;
  let browser;
  let owner;
  let sessionId;
  let killedAt;
  const restoring = [];

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "kiln-restart-long-"));
    kiln = await startKiln(["--data-dir", dataDir]);
    browser = await launchBrowser();
    const params = { formula: "C8H18", steps_per_cycle: LONG, num_cycles: 1, steps_per_event: 1_000_000 };
    ({ owner, sessionId } = await startFromOwnerPage(browser, kiln, { ...params, max_events_per_sec: 60 }));
    await waitForStep(owner.page, (2 * LONG) / 3, 120000);
    await kiln.kill9();
    killedAt = await shownStep(owner.page);
    kiln = await startKiln(["--data-dir", dataDir], { addr: new URL(kiln.url).host });
    owner.page.on("response", (r) => {
      // The page asks for its run through the teacher's room (its owner view) or directly.
      const asksForTheRun = r.url().includes(sessionId) || r.url().includes("/api/rooms/");
      if (r.status() === 503 && asksForTheRun) restoring.push(r.headers()["retry-after"]);
    });
    await owner.page.reload();
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps the session and goes on with it to the end once it is rebuilt", async (t) => {
    await waitForState(owner.page, "complete", 120000);
    assert.equal(await owner.page.evaluate(() => window.kiln.sessionId()), sessionId, "the same session");
    assert.equal(await shownStep(owner.page), LONG);
    // The reloaded form shows the session's own settings, not the defaults.
    assert.equal(await owner.page.locator("#param-steps_per_cycle").inputValue(), String(LONG));
    assert.equal(await owner.page.locator("#param-steps_per_event").inputValue(), "1000000");
    assert.ok(restoring.length > 0, "the reloaded page asked while the session was being rebuilt");
    assert.ok(restoring.every((seconds) => seconds === "1"), `Retry-After: ${restoring}`);
    await kiln.stderrMatch(new RegExp(`session ${sessionId.slice(0, 8)} restored`));
    t.diagnostic(`killed at step ${killedAt}; ${restoring.length} answers 503 restoring before it was back`);
    await screenshot(owner.page, "classroom-restart-long-replay");
  });

  it("logged no console errors beyond the outage and the 503s while it was rebuilt", () => {
    assert.deepEqual(owner.errors.filter((e) => !NETWORK_ERROR.test(e)), []);
  });
});
