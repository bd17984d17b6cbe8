// The chart a class can read: axis titles in the kind's own terms, at least four tick
// labels per axis (whole numbers for a whole-number energy such as the Wiener index),
// and a readout on hover and on touch.
//
// The canvas keeps what it last drew in `window.kiln.chartAxes()`; the readout is also
// written as text under the chart (#chart-readout), which is what these tests read.

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { screenshot } from "./support/browser.js";
import { fillParams, waitForState, waitForStep } from "./support/page.js";
import { ownerPageForSuite } from "./support/owner.js";

describe("the chart of an isomer run", () => {
  const owner = ownerPageForSuite();

  before(async () => {
    const { page } = owner;
    await fillParams(page, { formula: "C8H18", steps_per_event: 20, max_events_per_sec: 60 });
    await page.getByRole("button", { name: "Start" }).click();
    await waitForState(page, "running");
    await waitForStep(page, 600);
    await page.getByRole("button", { name: "Pause" }).click();
    await waitForState(page, "paused");
  });

  it("titles every axis in the kind's terms and labels it with at least four ticks", async () => {
    const { page } = owner;
    await page.waitForFunction(() => window.kiln.chartAxes()?.energy?.title === "Wiener index");
    const axes = await page.evaluate(() => window.kiln.chartAxes());
    assert.equal(axes.energy.title, "Wiener index");
    assert.equal(axes.temperature.title, "temperature T");
    assert.equal(axes.x.title, "step");
    for (const [name, axis] of Object.entries(axes)) {
      assert.ok(axis.ticks.length >= 4, `${name} axis has ${axis.ticks.length} tick labels: ${axis.ticks}`);
      assert.equal(new Set(axis.ticks).size, axis.ticks.length, `${name} ticks are distinct: ${axis.ticks}`);
    }
    for (const tick of axes.energy.ticks) {
      assert.match(tick, /^-?\d+$/, `the Wiener index is a whole number, so is its tick ${tick}`);
    }
    await screenshot(page, "chart-isomer");
  });

  it("shows a readout of the nearest point on hover", async () => {
    const { page } = owner;
    await page.locator("#chart").scrollIntoViewIfNeeded();
    const box = await page.locator("#chart").boundingBox();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.3);
    await page.waitForFunction(() => document.querySelector("#chart-readout").textContent.startsWith("step "));
    const text = await page.locator("#chart-readout").textContent();
    assert.match(text, /^step [\d,]+ · current [\d.,]+ · best [\d.,]+ · T [\d.,]+ · acceptance [\d.]+%$/);
    const steps = await page.evaluate(() => window.kiln.chartSteps());
    const shown = Number(text.match(/^step ([\d,]+)/)[1].replaceAll(",", ""));
    assert.ok(steps.includes(shown), `the readout names a charted step (${shown})`);
    await screenshot(page, "chart-readout-hover");
    await page.mouse.move(box.x - 20, box.y - 20);
    await page.waitForFunction(() => document.querySelector("#chart-readout").textContent === "");
  });

  it("shows the readout on touch", async () => {
    const { page } = owner;
    const box = await page.locator("#chart").boundingBox();
    await page.locator("#chart").dispatchEvent("pointerdown", {
      pointerType: "touch",
      clientX: box.x + box.width * 0.25,
      clientY: box.y + box.height * 0.5,
      isPrimary: true,
    });
    await page.waitForFunction(() => document.querySelector("#chart-readout").textContent.startsWith("step "));
  });

  it("logged no console errors", () => {
    const { errors } = owner;
    assert.deepEqual(errors, []);
  });
});
