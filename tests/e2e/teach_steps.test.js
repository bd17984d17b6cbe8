// Steps that teach (issue 23): "Step" lands on a real move, the drawing marks it by
// number, the explanation's numbers follow Metropolis, and a live run at the default
// pacing keeps the drawing moving.
//
// Expected values come from outside the page: the engine's invalid counter (GET
// status, not the page's counters) for the skipped draws, and an independent
// recomputation p = min(1, e^(-delta/T)), accepted exactly when u < p, for the numbers.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { screenshot } from "./support/browser.js";
import { openOwnerPage } from "./support/owner.js";
import { fillParams, waitForState } from "./support/page.js";

/** The session's progress as the server has it (GET /api/sa/{id}/status). */
async function serverProgress(baseUrl, sessionId) {
  const response = await fetch(`${baseUrl}/api/sa/${sessionId}/status`);
  return (await response.json()).progress;
}

/** What the teaching panel and the drawing's overlay show. */
function shown(page) {
  return page.evaluate(() => {
    const panel = document.querySelector("#teach");
    const text = (name) => panel.querySelector(`[data-teach="${name}"]`)?.textContent.trim() ?? "";
    const overlay = document.querySelector(".drawing svg.highlight");
    const numbers = [...overlay.querySelectorAll("text.atom-number")].map((t) => ({
      atom: Number(t.dataset.atom),
      text: t.textContent,
      marked: t.classList.contains("marked"),
    }));
    return {
      step: Number(panel.dataset.step),
      skipped: panel.dataset.skipped,
      skippedLine: text("skipped"),
      reason: text("reason"),
      change: text("change"),
      verdict: panel.dataset.verdict,
      delta: Number(panel.dataset.delta),
      temperature: Number(panel.dataset.temperature),
      u: Number(panel.dataset.u),
      pAccept: Number(panel.dataset.pAccept),
      rings: [...overlay.querySelectorAll("circle.marked")].map((c) => Number(c.dataset.atom)),
      numbers,
    };
  });
}

describe("Step on a fresh C8H18 run", () => {
  let owner;
  let page;
  let errors;
  let sessionId;

  before(async () => {
    owner = await openOwnerPage();
    ({ page, errors } = owner);
    await page.locator("#param-formula").waitFor();
    await fillParams(page, { formula: "C8H18" });
  });

  after(async () => {
    await owner?.close();
  });

  it("10 presses: each lands on a new valid move, names marked atoms, and counts the skipped draws", async () => {
    let previous = { step: 0, invalid_moves: 0 };
    let skippedTotal = 0;
    for (let press = 1; press <= 10; press += 1) {
      const answered = page.waitForResponse((r) => r.url().includes("/step?to=move"));
      if (press === 1) {
        const configured = page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
        await page.getByRole("button", { name: "Step", exact: true }).click();
        sessionId = (await (await configured).json()).session_id;
      } else {
        await page.getByRole("button", { name: "Step", exact: true }).click();
      }
      await answered;
      await waitForState(page, "paused");
      const server = await serverProgress(owner.kiln.url, sessionId);
      await page.waitForFunction((step) => document.querySelector("#teach").dataset.step === String(step), server.step);
      const view = await shown(page);
      assert.ok(view.step > previous.step, `press ${press}: a new move (step ${view.step} after ${previous.step})`);
      assert.notEqual(view.verdict, "invalid", `press ${press}: a move tried on a valid structure`);
      const invalidGained = server.invalid_moves - previous.invalid_moves;
      assert.equal(Number(view.skipped), invalidGained, `press ${press}: skipped draws = the engine's invalid counter gain`);
      assert.equal(view.step, previous.step + invalidGained + 1, `press ${press}: skipped draws and the move are every step`);
      if (invalidGained > 0) {
        assert.match(view.skippedLine, new RegExp(`^${invalidGained} draws? skipped: `), view.skippedLine);
        assert.doesNotMatch(view.skippedLine, /drawn/);
      }
      skippedTotal += invalidGained;
      // Every atom the explanation names ("C6") is ringed and numbered on the drawing.
      const named = [...view.change.matchAll(/\b[A-Z][a-z]?(\d+)\b/g)].map((m) => Number(m[1]) - 1);
      for (const atom of named) {
        assert.ok(view.rings.includes(atom), `press ${press}: atom ${atom + 1} of "${view.change}" is ringed`);
        const label = view.numbers.find((n) => n.atom === atom);
        assert.ok(label && label.marked && label.text === String(atom + 1), `press ${press}: atom ${atom + 1} is numbered`);
      }
      // Step mode: every atom of the drawing shows its number.
      assert.equal(view.numbers.length, 8, `press ${press}: all eight carbons numbered in step mode`);
      previous = { step: server.step, invalid_moves: server.invalid_moves };
    }
    assert.ok(skippedTotal > 0, "a default C8H18 run skips invalid draws");
    await screenshot(page, "teach-step-to-move");
  });

  it("the explanation's numbers agree with an independent Metropolis recomputation", async () => {
    // Ten more presses, each explanation read off the page and recomputed.
    for (let press = 1; press <= 10; press += 1) {
      const answered = page.waitForResponse((r) => r.url().includes("/step?to=move"));
      await page.getByRole("button", { name: "Step", exact: true }).click();
      await answered;
      const server = await serverProgress(owner.kiln.url, sessionId);
      await page.waitForFunction((step) => document.querySelector("#teach").dataset.step === String(step), server.step);
      const view = await shown(page);
      const p = Math.min(1, Math.exp(-view.delta / view.temperature));
      assert.ok(Math.abs(view.pAccept - p) <= 1e-12, `p_accept ${view.pAccept}, recomputed ${p}`);
      const accepted = view.delta <= 0 || view.u < p;
      assert.equal(view.verdict, accepted ? "accepted" : "rejected", `delta ${view.delta}, u ${view.u}, p ${p}`);
      assert.ok(view.reason.endsWith(`so ${view.verdict}`), view.reason);
      if (view.delta > 0) {
        // Energy change, temperature, chance, random number, verdict: in that order, with the numbers.
        const match = view.reason.match(
          /^energy up by ([\d.e+-]+), temperature T = ([\d.e+-]+), chance e\^\(-[\d.e+-]+\/[\d.e+-]+\) = ([\d.e+-]+), random number ([\d.e+-]+) is (not )?below/,
        );
        assert.ok(match, view.reason);
        assert.ok(Math.abs(Number(match[1]) - view.delta) <= Math.abs(view.delta) * 1e-2, `delta in "${view.reason}"`);
        assert.ok(Math.abs(Number(match[2]) - view.temperature) <= view.temperature * 1e-2, `T in "${view.reason}"`);
        assert.ok(Math.abs(Number(match[3]) - p) <= 0.006 + p * 0.05, `chance in "${view.reason}" vs ${p}`);
        assert.ok(Math.abs(Number(match[4]) - view.u) <= 0.006 + view.u * 0.05, `draw in "${view.reason}" vs ${view.u}`);
        assert.equal(match[5] === undefined, view.u < p, `"below" in "${view.reason}"`);
      } else if (view.delta < 0) {
        assert.match(view.reason, /^energy down by [\d.]+: downhill moves are always taken, so accepted$/);
      }
    }
  });

  it("logged no console errors", () => {
    assert.deepEqual(errors, []);
  });
});

describe("a live C8H18 run at the default pacing", () => {
  let owner;

  after(async () => {
    await owner?.close();
  });

  it("changes the drawn molecule at least 20 times in 20 seconds", async () => {
    owner = await openOwnerPage();
    const { page, errors } = owner;
    await page.locator("#param-formula").waitFor();
    await fillParams(page, { formula: "C8H18" });
    await page.evaluate(() => {
      const image = document.querySelector("#current-svg");
      window.drawingChanges = 0;
      let last = image.getAttribute("src");
      new MutationObserver(() => {
        const now = image.getAttribute("src");
        if (now && now !== last) window.drawingChanges += 1;
        last = now;
      }).observe(image, { attributes: true, attributeFilter: ["src"] });
    });
    await page.getByRole("button", { name: "Start" }).click();
    await waitForState(page, "running");
    // The specification is a duration: 20 seconds of a live run, then count.
    await page.waitForTimeout(20000);
    const changes = await page.evaluate(() => window.drawingChanges);
    console.log(`# the drawing changed ${changes} times in 20 s`);
    assert.ok(changes >= 20, `the drawing changed ${changes} times in 20 s`);
    assert.deepEqual(errors, []);
  });
});
