// Issue #14 item 9: a control call answered during a manual step is never undone.
// Before, `start` answered "running" while a `step?n=` was running, and the step then
// forced the session to paused. Now whatever a control call answers is what the
// session is in afterwards (or a 409 says it could not apply).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configure, control, status, streamingStatus } from "./support/http.js";
import { startKiln } from "./support/server.js";
import { until } from "./support/until.js";

describe("item 9: a start during a manual step is not undone", () => {
  let kiln;
  before(async () => {
    kiln = await startKiln();
  });
  after(async () => {
    await kiln?.stop();
  });

  it("start answered during step?n= leaves the session running", async (t) => {
    // 100,000 steps of P64 take seconds of CPU; streaming-status says when they are
    // under way (`stepping`), so the start is sent during the step, not after a guess.
    const session = await configure(kiln.url, { formula: "P64", steps_per_cycle: 1_000_000, num_cycles: 1 });
    const step = control(kiln.url, session, "step", { query: "n=100000", timeoutMs: 90000 });
    await until("the manual step is under way", async () => (await streamingStatus(kiln.url, session.id)).stepping);
    const start = await control(kiln.url, session, "start");
    const stepped = await step;
    const now = await status(kiln.url, session.id);
    t.diagnostic(`step answered ${stepped.status} ${stepped.short}; start answered ${start.status} ${start.short}`);
    // The run is a tenth done, so start applies whether or not the step has just
    // ended: it answers "running", and the step must not undo it.
    assert.equal(start.status, 200, start.short);
    assert.equal(start.json.state, "running");
    assert.ok(
      now.state === "running" || now.state === "complete",
      `start answered "running" during the step, but the session is ${now.state} after it`,
    );
  });
});
