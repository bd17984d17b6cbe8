// The chart's trace stays bounded on long runs (no browser needed: a pure module).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EnergyTrace } from "../../web/js/trace.js";

function feed(trace, steps) {
  for (let step = 1; step <= steps; step += 1) {
    trace.add({ step, current: 100 + (step % 7), best: 100 - step / steps, temperature: 1, acceptance: 0.5 });
  }
}

describe("the energy trace", () => {
  it("keeps every step of a short run", () => {
    const trace = new EnergyTrace(2000);
    feed(trace, 1500);
    assert.deepEqual(trace.steps(), Array.from({ length: 1500 }, (_, i) => i + 1));
  });

  it("keeps at most its limit of points on a long run, still ending at the last step", () => {
    const trace = new EnergyTrace(2000);
    feed(trace, 1_000_000);
    const steps = trace.steps();
    assert.ok(steps.length <= 2000, `${steps.length} points`);
    assert.ok(steps.length >= 1000, `${steps.length} points: merging keeps at least half`);
    assert.equal(steps.at(-1), 1_000_000);
    assert.ok(steps.every((step, i) => i === 0 || step > steps[i - 1]), "steps stay in order");
  });

  it("keeps the spread of current energies that merged points cover", () => {
    const trace = new EnergyTrace(10);
    feed(trace, 1000);
    for (const point of trace.all().slice(0, -1)) {
      assert.equal(point.low, 100);
      assert.equal(point.high, 106);
    }
  });
});
