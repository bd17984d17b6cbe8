// A TSP run on berlin52 goes to completion: the final view shows the tour, its length
// and the summary.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { screenshot } from "./support/browser.js";
import { configure, waitForConnection, waitForState } from "./support/page.js";
import { ownerPageForSuite } from "./support/owner.js";

describe("a finished TSP run", () => {
  const owner = ownerPageForSuite();

  it("shows the final tour, its length and the summary", async () => {
    const { page } = owner;
    await configure(page, {
      problem: "tsp",
      preset: "berlin52",
      params: { steps_per_cycle: 20000, num_cycles: 2, steps_per_event: "max", max_events_per_sec: 20 },
    });
    await page.getByRole("button", { name: "Start" }).click();
    await waitForState(page, "complete", 60000);
    await waitForConnection(page, "run finished");

    const tour = page.locator("#best-svg");
    await tour.waitFor({ state: "visible" });
    const svg = await tour.evaluate((img) => decodeURIComponent(img.src.split(",")[1]));
    assert.match(svg, /^<svg[\s>]/, "the best tour is the server's SVG");
    const caption = await page.locator("#best-caption").textContent();
    const length = Number(caption.match(/tour length ([\d,.]+)/)[1].replaceAll(",", ""));
    assert.ok(length >= 7542, `a tour of berlin52 is at least the optimum 7542, got ${length}`);

    await page.locator("#summary").waitFor({ state: "visible" });
    assert.equal(Number((await page.locator("#summary-best").textContent()).replaceAll(",", "")), length);
    assert.equal((await page.locator("#summary-steps").textContent()).replaceAll(",", ""), "40000");
    assert.notEqual(await page.locator("#summary-time").textContent(), "–");
    await screenshot(page, "tsp-complete-desktop");
    assert.equal(await page.evaluate(() => window.kiln.connection()), "not connected", "a finished stream stays closed");

    await page.locator("#projector").click();
    await screenshot(page, "tsp-complete-projector");
    await page.locator("#projector").click();
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "tsp-complete-phone");
  });

  it("offers the energy trace as CSV with one line per chart point", async () => {
    const { page } = owner;
    const text = await downloadText(page, ".download-csv");
    const lines = text.trim().split("\n");
    assert.equal(lines[0], "step,current_energy,best_energy,temperature,acceptance_rate,current_min,current_max");
    const points = await page.evaluate(() => window.kiln.chartSteps().length);
    assert.equal(lines.length - 1, points);
    assert.equal(Number(lines.at(-1).split(",")[0]), 40000, "the trace ends at the last step");
  });

  it("offers the best tour as SVG and the replay record as JSON", async () => {
    const { page } = owner;
    const svg = await downloadText(page, ".download-svg");
    const shown = await page.locator("#best-svg").evaluate((img) => decodeURIComponent(img.src.split(",")[1]));
    assert.equal(svg, shown);
    const record = JSON.parse(await downloadText(page, ".download-record"));
    assert.equal(record.format, 2);
    assert.equal(record.problem.problem, "tsp");
  });

  it("logged no console errors", () => {
    const { errors } = owner;
    assert.deepEqual(errors, []);
  });
});

async function downloadText(page, selector) {
  const download = page.waitForEvent("download");
  await page.locator(selector).click();
  return streamText(await (await download).createReadStream());
}

async function streamText(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}
