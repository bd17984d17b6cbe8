// Start says what it does (issue 22, D5): after the teacher edits the formula during a
// run, Start is enabled and the hint says what it will do; pressing it starts the new
// run in the same room (a phone in the room follows it with no action), and the run
// left behind stops instead of running on unwatched.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage } from "./support/browser.js";
import { status } from "./support/api.js";
import { startFromOwnerPage } from "./support/owner.js";
import { fillParams, waitForState } from "./support/page.js";
import { startKiln } from "./support/server.js";

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe("Start after an edit during a run", () => {
  let kiln;
  let browser;
  let owner;
  let phone;
  let firstId;
  let code;

  before(async () => {
    kiln = await startKiln();
    browser = await launchBrowser();
    const params = { formula: "C8H18", steps_per_cycle: 1000000, num_cycles: 1, steps_per_event: 1 };
    ({ owner, sessionId: firstId } = await startFromOwnerPage(browser, kiln, { ...params, max_events_per_sec: 20 }));
    await waitForState(owner.page, "running");
    code = (await owner.page.locator("#room .room-code").textContent()).trim();
    phone = await openPage(browser, `${kiln.url}/r/${code}`, PHONE);
    await phone.page.waitForFunction((id) => window.kiln.sessionId() === id, firstId, { timeout: 20000 });
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
  });

  it("is enabled once the formula changed during the run, with a hint saying what it does", async () => {
    const start = owner.page.locator("[data-action=start]");
    assert.equal(await start.isDisabled(), true, "while the run goes on unchanged, Start has nothing to do");
    await fillParams(owner.page, { formula: "C6H14" });
    await owner.page.waitForFunction(() => !document.querySelector("[data-action=start]").disabled);
    assert.match(await owner.page.locator("#form-hint").textContent(), /Start begins a new run/);
    assert.equal(await owner.page.locator("#form-hint").isVisible(), true);
  });

  it("starts the new run in the same room; the phone follows and the old run stops", async () => {
    const configured = owner.page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
    await owner.page.locator("[data-action=start]").click();
    const secondId = (await (await configured).json()).session_id;
    assert.notEqual(secondId, firstId);
    await waitForState(owner.page, "running");
    await owner.page.waitForFunction((id) => window.kiln.sessionId() === id, secondId);
    assert.equal((await owner.page.locator("#room .room-code").textContent()).trim(), code, "the same room");
    await phone.page.waitForFunction((id) => window.kiln.sessionId() === id, secondId, { timeout: 20000 });
    const old = await status(kiln.url, firstId);
    assert.equal(old.state, "paused", "the run left behind stops");
    const now = await (await fetch(`${kiln.url}/api/sa/${secondId}/status`)).json();
    assert.equal(now.spec.formula, "C6H14", "the new run has the edited formula");
    assert.deepEqual([...owner.errors, ...phone.errors], []);
  });
});
