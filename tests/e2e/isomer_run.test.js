// The owner's page runs an isomer search: start, watch it move, pause, resume, reset.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status } from "./support/api.js";
import { screenshot } from "./support/browser.js";
import {
  chartSteps,
  fillParams,
  shownStep,
  waitForEvents,
  waitForState,
  waitForStep,
} from "./support/page.js";
import { openOwnerPage } from "./support/owner.js";

describe("an isomer run on the owner's page", () => {
  let owner;
  let kiln;
  let page;
  let errors;
  let sessionId;

  before(async () => {
    owner = await openOwnerPage();
    ({ kiln, page, errors } = owner);
  });

  after(async () => {
    await owner?.close();
  });

  it("configures C8H18, starts, and shows a growing step counter, a molecule and chart points", async () => {
    await page.locator("#param-formula").waitFor();
    await fillParams(page, { formula: "C8H18", steps_per_cycle: 5000, steps_per_event: 1, max_events_per_sec: 30 });
    const configured = page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
    await page.getByRole("button", { name: "Start" }).click();
    sessionId = (await (await configured).json()).session_id;
    await waitForState(page, "running");
    await waitForStep(page, 5);
    const first = await shownStep(page);
    await waitForStep(page, first + 5);

    const molecule = page.locator("#best-svg");
    await molecule.waitFor({ state: "visible" });
    assert.match(await molecule.getAttribute("src"), /^data:image\/svg\+xml/);
    assert.ok(await molecule.evaluate((img) => img.complete && img.naturalWidth > 0), "the SVG decodes as an image");
    assert.notEqual((await page.locator("#best-caption").textContent()).trim(), "", "best SMILES under the molecule");
    assert.ok((await chartSteps(page)).length >= 5, "the chart has points");
    await screenshot(page, "isomer-running-desktop");
  });

  it("shows the run in large type in projector mode", async () => {
    await page.locator("#projector").click();
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains("projector")), true);
    await screenshot(page, "isomer-running-projector");
    await page.locator("#projector").click();
  });

  it("pause stops the step counter at the server's step", async () => {
    await page.getByRole("button", { name: "Pause" }).click();
    await waitForState(page, "paused");
    const paused = (await status(kiln.url, sessionId)).step;
    await waitForStep(page, paused);
    const waitingSoFar = await page.evaluate(() => window.kiln.eventCount("waiting"));
    await waitForEvents(page, "waiting", waitingSoFar, 2);
    assert.equal(await shownStep(page), paused, "the counter stays where the pause left it");
    assert.equal((await status(kiln.url, sessionId)).step, paused, "the session itself stopped");
  });

  it("resume continues from the paused step", async () => {
    const paused = await shownStep(page);
    await page.getByRole("button", { name: "Resume" }).click();
    await waitForState(page, "running");
    await waitForStep(page, paused + 5);
  });

  it("keyboard: space pauses, s steps once", async () => {
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press(" ");
    await waitForState(page, "paused");
    const paused = (await status(kiln.url, sessionId)).step;
    await waitForStep(page, paused);
    await page.keyboard.press("s");
    await waitForStep(page, paused + 1);
    assert.equal((await status(kiln.url, sessionId)).step, paused + 1);
  });

  it("Step 10 advances a paused run by ten steps", async () => {
    const before = (await status(kiln.url, sessionId)).step;
    await page.getByRole("button", { name: "Step 10" }).click();
    await waitForStep(page, before + 10);
    assert.equal((await status(kiln.url, sessionId)).step, before + 10);
    assert.equal(await page.evaluate(() => window.kiln.state()), "paused");
  });

  it("reset returns to step 0 with an empty chart, and a new start begins at step 1", async () => {
    // Reset asks once before discarding a run in progress (see form.test.js).
    page.once("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: "Reset" }).click();
    await waitForState(page, "idle");
    assert.equal(await shownStep(page), 0);
    const left = await chartSteps(page);
    assert.ok(left.every((step) => step === 0), `the chart keeps nothing of the old run: ${left}`);
    await page.getByRole("button", { name: "Start" }).click();
    await waitForState(page, "running");
    await waitForStep(page, 3);
    const steps = await chartSteps(page);
    assert.ok(steps[0] <= 1, `the new run's chart starts at the beginning, not at ${steps[0]}`);
  });

  it("logged no console errors", () => {
    assert.deepEqual(errors, []);
  });
});
