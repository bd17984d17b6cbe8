// Issue #14 item 9: a control call answered during a manual step is never undone.
// Before, `start` answered "running" while a `step?n=` was running, and the step then
// forced the session to paused. Now whatever a control call answers is what the
// session is in afterwards (or a 409 says it could not apply).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configure, control, status } from "./support/http.js";
import { startKiln } from "./support/server.js";

describe("item 9: a start during a manual step is not undone", () => {
  let kiln;
  before(async () => {
    kiln = await startKiln();
  });
  after(async () => {
    await kiln?.stop();
  });

  it("start answered during step?n= leaves the session running", async (t) => {
    // 100,000 steps of P64 take seconds of CPU: the step is still running (or stops at
    // its deadline) when the start arrives.
    const session = await configure(kiln.url, { formula: "P64", steps_per_cycle: 1_000_000, num_cycles: 1 });
    const step = control(kiln.url, session, "step", { query: "n=100000", timeoutMs: 90000 });
    // The step's progress is not observable from outside; give it time to be under way.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const start = await control(kiln.url, session, "start");
    const stepped = await step;
    const now = await status(kiln.url, session.id);
    t.diagnostic(`step answered ${stepped.status} ${stepped.short}; start answered ${start.status} ${start.short}`);
    if (start.status === 200) {
      assert.equal(start.json.state, "running");
      assert.ok(
        now.state === "running" || now.state === "complete",
        `start answered "running" during the step, but the session is ${now.state} after it`,
      );
    } else {
      assert.equal(start.status, 409, start.short);
      assert.equal(start.json.error.code, "invalid_transition");
    }
  });
});
