// A replica-exchange run on the owner's page: method "tempering" picked in the form,
// the ladder view appears with one row per replica ordered by temperature (hottest
// first), swaps show up as exchange rates above zero, and the coldest replica's state
// is drawn large; an annealing run shows no ladder; a "Step" of a tempering run
// explains the coldest replica's move and the exchange round it ended.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { screenshot } from "./support/browser.js";
import { configure, fillParams, waitForState } from "./support/page.js";
import { ownerPageForSuite } from "./support/owner.js";

/** What both suites run: a +-J glass lattice, one cycle of replica exchange. */
const GLASS_BY_TEMPERING = { coupling: "glass", method: "tempering", num_cycles: 1 };

describe("the replica ladder", () => {
  const owner = ownerPageForSuite();

  it("shows the replicas hottest first, their swaps and the coldest state", async () => {
    const { page, errors } = owner;
    await configure(page, {
      problem: "magnet",
      params: {
        ...GLASS_BY_TEMPERING,
        lattice: 24,
        replicas: 8,
        exchange_interval: 576,
        initial_temp: 2,
        final_temp: 0.5,
        steps_per_cycle: 2000000,
        max_events_per_sec: 10,
      },
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
    const { page } = owner;
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

describe("a teaching step of a replica-exchange run", () => {
  const owner = ownerPageForSuite();

  // Expected values from outside the page: the server's own `move` (GET status), and
  // the swap rule recomputed here, p = min(1, e^((1/T_i - 1/T_j)(E_i - E_j))), taken
  // exactly when u < p.
  it("explains the coldest replica's move and lists the exchange round's swaps", async () => {
    const { page, errors } = owner;
    await configure(page, {
      problem: "magnet",
      params: { ...GLASS_BY_TEMPERING, lattice: 8, replicas: 5, exchange_interval: 1, steps_per_cycle: 10000 },
    });
    const configured = page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
    await page.getByRole("button", { name: "Step", exact: true }).click();
    const sessionId = (await (await configured).json()).session_id;
    await waitForState(page, "paused");
    await page.locator("#teach .teach-exchange:not([hidden])").waitFor({ timeout: 20000 });
    const status = await (await fetch(`${owner.kiln.url}/api/sa/${sessionId}/status`)).json();
    const move = status.progress.move;
    assert.equal(move.replicas, 5);
    const shown = await page.evaluate(() => ({
      reason: document.querySelector('#teach [data-teach="reason"]').textContent,
      rows: [...document.querySelectorAll("#teach .teach-exchange tbody tr")].map((r) => ({
        pair: Number(r.dataset.pair),
        swapped: r.dataset.swapped === "true",
        cells: [...r.cells].map((c) => c.textContent),
      })),
    }));
    assert.match(shown.reason, /coldest of the 5 replicas/);
    assert.match(shown.reason, /exchange round/);
    assert.equal(shown.rows.length, move.exchange.tries.length, "one row per swap tried");
    assert.ok(shown.rows.length >= 1);
    for (const [i, t] of move.exchange.tries.entries()) {
      const p = Math.min(1, Math.exp((1 / t.temperatures[0] - 1 / t.temperatures[1]) * (t.energies[0] - t.energies[1])));
      assert.ok(Math.abs(p - t.p_swap) < 1e-9, `p_swap ${t.p_swap} vs ${p}`);
      assert.equal(t.swapped, t.u < p);
      assert.equal(shown.rows[i].pair, t.pair);
      assert.equal(shown.rows[i].swapped, t.swapped);
      assert.equal(shown.rows[i].cells[4], t.swapped ? "swapped" : "kept");
    }
    await screenshot(page, "tempering-step");
    assert.deepEqual(errors, [], "no console errors");
  });
});
