// Teaching steps: a single step shows its move (delta, T, p_accept, the draw u and the
// verdict, with a one-line reason), and what the page shows is what the stream sent.
//
// The expected numbers come from the server's own stream, read here over a second,
// independent SSE connection (not through the page), and the verdicts are checked
// against the page's counters: each single step must move exactly the counter its
// verdict names (accepted, rejected or invalid) by one.

import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { screenshot } from "./support/browser.js";
import { fillParams, waitForState } from "./support/page.js";
import { openOwnerPage } from "./support/owner.js";

/**
 * Reads a session's SSE stream and keeps every progress event's `move` by step.
 * Returns {moves: Map, waitFor(step), close()}.
 */
function collectMoves(baseUrl, sessionId) {
  const moves = new Map();
  const waiters = [];
  const request = http.get(`${baseUrl}/api/sa/${sessionId}/stream`, {
    headers: { Accept: "text/event-stream" },
  });
  let buffer = "";
  const take = (progress) => {
    if (progress?.move) moves.set(progress.move.step, progress.move);
    for (const waiter of waiters.splice(0)) waiter();
  };
  request.on("response", (response) => {
    response.setEncoding("utf8");
    response.on("data", (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const name = block.match(/^event: (.*)$/m)?.[1];
        const data = block.match(/^data: (.*)$/m)?.[1];
        if (!data) continue;
        const parsed = JSON.parse(data);
        if (name === "connected") take(parsed.progress);
        else if (name === "progress" || name === "complete") take(parsed);
      }
    });
  });
  request.on("error", () => {});
  return {
    moves,
    async waitFor(step, timeout = 20000) {
      const deadline = Date.now() + timeout;
      while (!moves.has(step)) {
        if (Date.now() > deadline) throw new Error(`the stream sent no move for step ${step}`);
        await new Promise((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 500);
        });
      }
      return moves.get(step);
    },
    close: () => request.destroy(),
  };
}

/** The counters the page shows, as numbers. */
function counters(page) {
  return page.evaluate(() => {
    const read = (id) => Number(document.querySelector(`#stat-${id}`).textContent.replaceAll(",", ""));
    return { accepted: read("accepted"), rejected: read("rejected"), invalid: read("invalid") };
  });
}

/** Waits until the teaching panel shows step `step`; returns what it shows. */
async function shownMove(page, step) {
  await page.waitForFunction((want) => document.querySelector("#teach")?.dataset.step === String(want), step, {
    timeout: 20000,
  });
  return page.evaluate(() => {
    const panel = document.querySelector("#teach");
    const text = (name) => panel.querySelector(`[data-teach="${name}"]`).textContent.trim();
    return {
      visible: !panel.hidden && panel.getBoundingClientRect().height > 0,
      data: { ...panel.dataset },
      reason: text("reason"),
      delta: text("delta"),
      temperature: text("temperature"),
      p: text("p_accept"),
      u: text("u"),
      verdict: text("verdict"),
    };
  });
}

/** A shown number ("+4", "0.1523", "1,234.5") as a number; "–" as null. */
function shownNumber(text) {
  return text === "–" ? null : Number(text.replaceAll(",", ""));
}

/** Asserts a shown number rounds the stream's value (the page shows up to 4 decimals). */
function assertShows(text, value, what) {
  if (value === null) {
    assert.equal(text, "–", `${what}: none for an invalid move`);
    return;
  }
  const shown = shownNumber(text);
  const tolerance = Math.max(Math.abs(value) * 1e-3, 1e-4);
  assert.ok(Math.abs(shown - value) <= tolerance, `${what}: page shows ${text}, stream sent ${value}`);
}

/** Asserts the panel shows exactly the stream's move. */
function assertPanelEqualsStream(shown, move) {
  assert.ok(shown.visible, "the teaching panel is visible");
  assert.equal(shown.data.verdict, move.verdict);
  assert.equal(shown.data.delta, String(move.delta));
  assert.equal(shown.data.temperature, String(move.temperature));
  assert.equal(shown.data.pAccept, String(move.p_accept));
  assert.equal(shown.data.u, String(move.u));
  assert.equal(shown.reason, move.reason, "the one-line reason");
  assert.ok(shown.verdict.startsWith(move.verdict), `verdict shown: ${shown.verdict}`);
  assertShows(shown.delta, move.delta, "delta");
  assertShows(shown.temperature, move.temperature, "T");
  assertShows(shown.p, move.p_accept, "p_accept");
  assertShows(shown.u, move.u, "u");
}

describe("teaching steps on the owner's page", () => {
  let owner;
  let page;
  let errors;
  let sessionId;
  let stream;

  before(async () => {
    owner = await openOwnerPage();
    ({ page, errors } = owner);
  });

  after(async () => {
    stream?.close();
    await owner?.close();
  });

  it("step 1 of a fresh C8H18 run shows delta, T, p_accept and a verdict equal to the stream's move", async () => {
    await page.locator("#param-formula").waitFor();
    await fillParams(page, { formula: "C8H18" });
    const configured = page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
    await page.getByRole("button", { name: "Step 1 draw", exact: true }).click();
    sessionId = (await (await configured).json()).session_id;
    await waitForState(page, "paused");
    stream = collectMoves(owner.kiln.url, sessionId);
    const move = await stream.waitFor(1);
    const shown = await shownMove(page, 1);
    assertPanelEqualsStream(shown, move);
    assert.ok(Number.isFinite(move.temperature) && move.temperature > 0);
    assert.ok(move.u >= 0 && move.u < 1);
    if (move.verdict === "invalid") assert.match(move.reason, /^invalid/);
    else assert.match(move.reason, new RegExp(`so ${move.verdict}$`));
    const total = await counters(page);
    assert.equal(total[move.verdict], 1, `step 1's verdict (${move.verdict}) is the one counted`);
  });

  it("over 50 single steps each verdict matches the counters and the stream", async () => {
    let before = await counters(page);
    const seen = { accepted: 0, rejected: 0, invalid: 0 };
    let pricedShown = 0;
    for (let step = 2; step <= 51; step += 1) {
      await page.getByRole("button", { name: "Step 1 draw", exact: true }).click();
      const shown = await shownMove(page, step);
      const move = await stream.waitFor(step);
      assertPanelEqualsStream(shown, move);
      const now = await counters(page);
      const moved = Object.keys(now).filter((key) => now[key] !== before[key]);
      assert.deepEqual(moved, [move.verdict], `step ${step}: only the ${move.verdict} counter moves`);
      assert.equal(now[move.verdict], before[move.verdict] + 1, `step ${step}: by one`);
      // The verdict follows from the numbers: Metropolis with the shown u and p_accept.
      if (move.verdict !== "invalid") {
        pricedShown += 1;
        const expectAccepted = move.p_accept >= 1 || move.u < move.p_accept;
        assert.equal(move.verdict === "accepted", expectAccepted, `step ${step}: u ${move.u}, p ${move.p_accept}`);
        const p = Math.min(1, Math.exp(-move.delta / move.temperature));
        assert.ok(Math.abs(move.p_accept - p) <= 1e-12, `step ${step}: p_accept ${move.p_accept} is min(1, exp(-delta/T)) = ${p}`);
      }
      seen[move.verdict] += 1;
      before = now;
    }
    assert.ok(pricedShown > 0, `some of the 50 steps were priced moves: ${JSON.stringify(seen)}`);
    await screenshot(page, "teach-step-panel");
  });

  it("a priced isomer move names the bonds it changes and highlights them on the drawing", async () => {
    const priced = [...stream.moves.values()].filter((m) => m.verdict !== "invalid");
    assert.ok(priced.length > 0);
    for (const move of priced) {
      assert.ok(Array.isArray(move.bonds), JSON.stringify(move));
      assert.match(move.text, /^(bonds change: |no bond changes)/, JSON.stringify(move));
    }
    // Step until the last step is a priced move, then look at the drawing's overlay.
    let step = Math.max(...stream.moves.keys());
    let last = stream.moves.get(step);
    while (last.verdict === "invalid" || !last.bonds.length) {
      await page.getByRole("button", { name: "Step 1 draw", exact: true }).click();
      step += 1;
      await shownMove(page, step);
      last = await stream.waitFor(step);
    }
    const highlighted = await page.locator(".drawing svg.highlight line.changed").count();
    assert.equal(highlighted, last.bonds.length, "one highlight per changed bond");
  });

  it("counters say what they count", async () => {
    const title = (id) => page.locator(`#stat-${id}`).evaluate((dd) => dd.parentElement.title);
    assert.match(await title("invalid"), /disconnected/);
    assert.match(await title("acceptance"), /priced/);
    assert.match(await title("acceptance"), /no energy are always accepted/);
  });

  it("logged no console errors", () => {
    assert.deepEqual(errors, []);
  });
});
