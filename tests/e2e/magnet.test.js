// The magnet kind on the owner's page: picked in the problem picker, its preset
// "Cooling a magnet 64 x 64" started, and the lattice redrawn live as the run cools
// (the current drawing changes from event to event), with the magnetisation counter
// shown with its decimals while the run cools, and no console error.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { screenshot } from "./support/browser.js";
import { configure, fillParams, waitForState } from "./support/page.js";
import { ownerPageForSuite } from "./support/owner.js";

describe("the magnet kind", () => {
  const owner = ownerPageForSuite();

  it("runs the 64 x 64 preset with the lattice redrawn live", async () => {
    const { page } = owner;
    await configure(page, { problem: "magnet", preset: { label: "Cooling a magnet 64 x 64" } });
    assert.equal(await page.locator("#param-lattice").inputValue(), "64");
    // 100 sweeps of 4,096 spins in one cycle, so the run ends within seconds.
    await fillParams(page, { steps_per_cycle: 409600, num_cycles: 1, max_events_per_sec: 20 });

    // Every drawing the page shows, in order of arrival.
    await page.evaluate(() => {
      window.magnetDrawings = [];
      const image = document.querySelector("#current-svg");
      new MutationObserver(() => window.magnetDrawings.push(image.src)).observe(image, {
        attributes: true,
        attributeFilter: ["src"],
      });
    });
    await page.getByRole("button", { name: "Start" }).click();
    // Magnetisation per spin is a fraction (M / 4,096): while the lattice cools the
    // counter shows its decimals (e.g. 0.912 or -0.03), not a value rounded to 0 or 1.
    await page.waitForFunction(
      () => /^-?\d*\.\d+$/.test(document.querySelector("#stat-magnetization")?.textContent.trim() ?? ""),
      null,
      { timeout: 30000 },
    );
    await page.waitForFunction(() => new Set(window.magnetDrawings).size >= 3, null, { timeout: 30000 });
    await screenshot(page, "magnet-64-running");

    const magnetization = await page.locator("#stat-magnetization").textContent();
    assert.notEqual(magnetization.trim(), "–", "the magnetisation counter shows a value");
    assert.ok(Number.isFinite(Number(magnetization.replaceAll(",", ""))), `a number, got ${magnetization}`);

    const drawings = await page.evaluate(() => window.magnetDrawings);
    const svg = decodeURIComponent(drawings.at(-1).split(",")[1]);
    assert.match(svg, /^<svg[\s>]/, "the lattice is the server's SVG");
    assert.ok(svg.length < 16 * 1024, `a 64 x 64 drawing is under 16 KB, got ${svg.length} bytes`);

    await waitForState(page, "complete", 60000);
    await screenshot(page, "magnet-64-complete");
  });

  it("logged no console errors", () => {
    const { errors } = owner;
    assert.deepEqual(errors, []);
  });
});
