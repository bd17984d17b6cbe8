// A replica-exchange run on the owner's page: method "tempering" picked in the form,
// the ladder view appears with one row per replica ordered by temperature (hottest
// first), swaps show up as exchange rates above zero, and the coldest replica's state
// is drawn large; an annealing run shows no ladder.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { screenshot } from "./support/browser.js";
import { chooseProblem, fillParams, waitForState } from "./support/page.js";
import { openOwnerPage } from "./support/owner.js";

describe("the replica ladder", () => {
  let owner;
  let page;
  let errors;

  before(async () => {
    owner = await openOwnerPage();
    ({ page, errors } = owner);
  });

  after(async () => {
    await owner?.close();
  });

  it("shows the replicas hottest first, their swaps and the coldest state", async () => {
    await page.locator("#param-formula").waitFor();
    await chooseProblem(page, "magnet");
    await fillParams(page, {
      lattice: 24,
      coupling: "glass",
      method: "tempering",
      replicas: 8,
      exchange_interval: 576,
      initial_temp: 2,
      final_temp: 0.5,
      steps_per_cycle: 2000000,
      num_cycles: 1,
      max_events_per_sec: 10,
    });
    await page.getByRole("button", { name: "Start" }).click();
    await waitForState(page, "running");
    await page.locator("#ladder").waitFor({ state: "visible", timeout: 30000 });
    // Rows arrive with the first event; swaps need a few rounds.
    await page.waitForFunction(
      () => [...document.querySelectorAll("#ladder .ladder-pair")].some((p) => !p.textContent.startsWith("⇅ 0.0%")),
      null,
      { timeout: 30000 },
    );
    const temperatures = await page.$$eval("#ladder .ladder-t", (cells) =>
      cells.map((c) => Number(c.textContent.replace("T", "").replaceAll(",", ""))),
    );
    assert.equal(temperatures.length, 8, "one row per replica");
    assert.deepEqual([temperatures[0], temperatures.at(-1)], [2, 0.5], "hottest first, coldest last");
    assert.ok(temperatures.every((t, i) => i === 0 || t < temperatures[i - 1]), `ordered: ${temperatures}`);
    assert.equal(await page.locator("#ladder .ladder-pair").count(), 7, "one exchange rate per neighbouring pair");
    const coldest = page.locator("#ladder .ladder-coldest img");
    await coldest.waitFor({ state: "visible" });
    assert.ok(await coldest.evaluate((img) => img.complete && img.naturalWidth > 0), "the coldest state decodes");
    await screenshot(page, "tempering-ladder");
    await page.getByRole("button", { name: "Pause" }).click();
    assert.deepEqual(errors, [], "no console errors");
  });

  it("shows no ladder for an annealing run", async () => {
    await page.getByRole("button", { name: "Reset" }).click().catch(() => {});
    await fillParams(page, { method: "anneal", steps_per_cycle: 20000 });
    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Start" }).click();
    await page.waitForFunction(() => window.kiln && ["running", "complete"].includes(window.kiln.state()), null, {
      timeout: 20000,
    });
    await page.waitForFunction(() => document.querySelector("#ladder").hidden, null, { timeout: 20000 });
  });
});
