// A tour annealed with large steps from the owner's page: the form offers the
// `moves` choice, a single step explains its kick and descent, and a short run ends
// within 1% of ch150's optimum (6528, TSPLIB's table), where plain moves over the
// same number of steps end far above it.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { screenshot } from "./support/browser.js";
import { configure, fillParams, waitForState } from "./support/page.js";
import { ownerPageForSuite } from "./support/owner.js";

const CH150_OPTIMUM = 6528;

describe("a tour with large steps", () => {
  const owner = ownerPageForSuite();

  it("offers local and large moves, local by default", async () => {
    const { page } = owner;
    await configure(page, { problem: "tsp" });
    const moves = page.locator("#param-moves");
    await moves.waitFor();
    const options = await moves.locator("option").evaluateAll((list) => list.map((o) => o.value));
    assert.ok(options.includes("local") && options.includes("large"), `options: ${options}`);
    assert.notEqual(await moves.inputValue(), "large", "a live session watches plain moves unless asked");
  });

  it("a single large step explains its kick and descent", async () => {
    const { page } = owner;
    await page.locator("#preset").selectOption("ch150");
    await fillParams(page, {
      moves: "large",
      steps_per_cycle: 100000,
      num_cycles: 1,
      steps_per_event: 5000,
      max_events_per_sec: 20,
    });
    await page.getByRole("button", { name: "Step 1 draw", exact: true }).click();
    await waitForState(page, "paused");
    await page.waitForFunction(() => document.querySelector("#teach")?.dataset.step === "1", null, {
      timeout: 20000,
    });
    // The auto schedule's temperatures are estimated, not the form's unused T0.
    const resolved = await page.locator("#resolved").textContent();
    assert.match(resolved, /auto schedule · T0 and T1 estimated from the problem/, resolved);
    const change = await page.locator('#teach [data-teach="change"]').textContent();
    assert.match(change, /^large step: swap \d+ and \d+ cities after city \d+/, change);
    await screenshot(page, "tsp-large-step");
  });

  it("runs to the end within 1% of the optimum", async () => {
    const { page } = owner;
    await page.getByRole("button", { name: "Resume", exact: true }).click();
    await waitForState(page, "complete", 120000);
    const caption = await page.locator("#best-caption").textContent();
    const length = Number(caption.match(/tour length ([\d,.]+)/)[1].replaceAll(",", ""));
    assert.ok(length >= CH150_OPTIMUM, `no tour of ch150 is shorter than ${CH150_OPTIMUM}: ${length}`);
    assert.ok(length <= CH150_OPTIMUM * 1.01, `within 1% of ${CH150_OPTIMUM}: ${length}`);
  });

  it("logged no console errors", () => {
    const { errors } = owner;
    assert.deepEqual(errors, []);
  });
});
