// What the chart and the drawings show of a whole run (issues 21 and 22):
// - the temperature line is the schedule itself, over the whole run from the start,
//   and every temperature the run reports lies on it (the formula is checked here
//   independently: geometric T0 (T1/T0)^(pos/(dt-1)));
// - a tour of 100,000 cities is drawn simplified and small, not as a solid square;
// - a max-cut graph is drawn as its cut, with a key for the cut edges;
// - the objective's components are shown in words, never "logp".

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { screenshot } from "./support/browser.js";
import { configure, fillParams, waitForState, waitForStep } from "./support/page.js";
import { ownerPageForSuite } from "./support/owner.js";

/** The largest drawing of a 100,000-city tour the server sends (render::tsp::MAX_SIMPLIFIED_BYTES). */
const HUGE_TOUR_BYTES = 4000 * 15 + 1024;

describe("the whole run on the chart and huge drawings", () => {
  const owner = ownerPageForSuite();

  it("draws the schedule's temperature over the whole run, through every reported temperature", async () => {
    const { page } = owner;
    await fillParams(page, {
      formula: "C8H18",
      schedule: "geometric",
      initial_temp: 100,
      final_temp: 1,
      steps_per_cycle: 1000,
      num_cycles: 3,
      steps_per_event: 25,
      max_events_per_sec: 60,
    });
    await page.getByRole("button", { name: "Start" }).click();
    await waitForState(page, "running");
    await waitForStep(page, 300);
    await page.getByRole("button", { name: "Pause" }).click();
    await waitForState(page, "paused");
    await page.waitForFunction(() => window.kiln.scheduleDrawn());
    const drawn = await page.evaluate(() => window.kiln.scheduleDrawn());
    // The whole run is on the chart at step ~300 of 3,000: the class sees where cooling goes.
    assert.equal(drawn.to, 3000);
    assert.equal(drawn.cycles, 3);
    assert.ok(drawn.solidColumns < drawn.columns / 2, JSON.stringify(drawn));
    const [, high] = await page.evaluate(() => window.kiln.temperatureAxis());
    assert.ok(high >= 100, `the temperature axis holds T0 from the start: ${high}`);
    // The formula, independently: step s (from 1) is at position (s - 1) mod 1000 of its cycle.
    const expected = (s) => 100 * (1 / 100) ** (((s - 1) % 1000) / 999);
    for (const s of [1, 2, 500, 999, 1000, 1001, 2345, 3000]) {
      const shown = await page.evaluate((step) => window.kiln.scheduleAt(step), s);
      assert.ok(Math.abs(shown - expected(s)) <= 1e-9 * expected(s), `step ${s}: ${shown} vs ${expected(s)}`);
    }
    // Every reported temperature lies on the drawn curve (the engine's own schedule).
    const rows = (await page.evaluate(() => window.kiln.csv())).trim().split("\n").slice(1);
    let checked = 0;
    for (const row of rows) {
      const [step, , , temperature] = row.split(",").map(Number);
      if (step === 0) continue;
      const drawn = await page.evaluate((s) => window.kiln.scheduleAt(s), step);
      assert.ok(Math.abs(drawn - temperature) <= 1e-6 * temperature, `step ${step}: run ${temperature}, curve ${drawn}`);
      checked += 1;
    }
    assert.ok(checked >= 5, `${checked} points checked`);
    await screenshot(page, "schedule-line-geometric");
  });

  it("draws a tour of 100,000 cities simplified and bounded", async () => {
    const { page } = owner;
    await configure(page, { problem: "tsp", params: { cities: 100000, steps_per_event: 20000 } });
    await page.getByRole("button", { name: "Start" }).click();
    await waitForState(page, "running");
    await waitForStep(page, 40000, 60000);
    await page.getByRole("button", { name: "Pause" }).click();
    await waitForState(page, "paused");
    const image = page.locator("#current-svg");
    await page.waitForFunction(() => document.querySelector("#current-svg")?.naturalWidth > 0);
    const svg = await image.evaluate((img) => decodeURIComponent(img.src.slice(img.src.indexOf(",") + 1)));
    assert.ok(svg.length <= HUGE_TOUR_BYTES, `${svg.length} bytes`);
    assert.match(svg, /data-simplified="100000 cities, simplified/);
    assert.doesNotMatch(svg, /class="cities"/, "no dot per city (they drew a solid square)");
    await screenshot(page, "tsp-100000-cities");
  });

  it("draws a max-cut graph as its two sides with the cut edges keyed", async () => {
    const { page } = owner;
    await configure(page, { problem: "magnet", preset: "maxcut_g1" });
    await page.getByRole("button", { name: "Start" }).click();
    await waitForState(page, "running");
    await page.getByRole("button", { name: "Pause" }).click();
    await waitForState(page, "paused");
    const key = page.locator("#drawing-key");
    await key.filter({ hasText: "a cut edge" }).waitFor();
    assert.deepEqual(await key.locator("li").allTextContents(), ["one side of the cut", "the other side", "a cut edge"]);
    const svg = await page
      .locator("#current-svg")
      .evaluate((img) => decodeURIComponent(img.src.slice(img.src.indexOf(",") + 1)));
    assert.match(svg, /class="cut"/);
    await screenshot(page, "maxcut-g1");
  });

  it("shows the objective's components in words, never their API names", async () => {
    const { page } = owner;
    await configure(page, { problem: "isomer" });
    const weights = page.locator("#param-component_weights");
    await weights.waitFor();
    const text = await weights.textContent();
    assert.match(text, /logP \(Crippen\)/);
    assert.match(text, /Wiener index/);
    assert.doesNotMatch(text, /logp|wiener_index/);
    await page.locator("#param-component_weights-logp").fill("-1");
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
    await page.getByRole("button", { name: "Start" }).click();
    assert.equal((await answer).status(), 400);
    const shown = page.locator(".field:has(#param-component_weights) .field-error");
    await shown.waitFor({ state: "visible" });
    const message = await shown.textContent();
    assert.match(message, /logP \(Crippen\) weight/);
    assert.doesNotMatch(message, /logp|component_weights|Objective\./, message);
  });

  it("logged no console errors beyond the refused request", () => {
    const { errors } = owner;
    const own = errors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e));
    assert.deepEqual(own, []);
  });
});
