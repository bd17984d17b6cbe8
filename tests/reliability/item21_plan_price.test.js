// Issue #21, work: a plan is priced before it is all built. Checking a plan builds
// every parameter set's problem; before (b69b225) a 1.5 KB plan of 200 parameter sets
// of 100,000-city tours cost 45.6 CPU-seconds, was not cancelled when its client hung
// up, and every later restart rebuilt it before answering. Now it is refused, naming
// `vary`, after a set or two; a check whose client hangs up stops; a restarted server
// answers /health before its stored experiments are rebuilt. CPU time is read from
// /proc, so the bound is on work, not on speed.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { request } from "./support/http.js";
import { cpuQuiet, cpuSeconds } from "./support/proc.js";
import { startKiln } from "./support/server.js";
import { until } from "./support/until.js";

/** 200 parameter sets (steps 1..200) of a `cities`-city random tour. */
function tours(cities, sets) {
  return {
    base: { problem: "tsp", cities, num_cycles: 1 },
    vary: { steps_per_cycle: Array.from({ length: sets }, (_, i) => i + 1) },
    seeds: 1,
  };
}

function create(base, plan, signal) {
  return request(`${base}/api/experiments`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: plan,
    timeoutMs: 60000,
    signal,
  });
}

describe("issue 21: plans priced before they are built", () => {
  const cleanup = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("the 200 sets of 100,000-city tours are refused naming vary, for a fraction of a CPU-second", async (t) => {
    const kiln = await startKiln();
    cleanup.push(() => kiln.stop());
    const plan = tours(100000, 200);
    const before = cpuSeconds(kiln.pid);
    const answer = await create(kiln.url, plan);
    const spent = cpuSeconds(kiln.pid) - before;
    t.diagnostic(`${JSON.stringify(plan).length}-byte plan: ${answer.status} after ${spent.toFixed(2)} CPU-s: ${answer.short}`);
    assert.equal(answer.status, 400, answer.short);
    assert.equal(answer.json.error.field, "vary");
    assert.match(answer.json.error.message, /200 parameter sets would take about \d+ s to build/);
    assert.ok(spent < 5, `${spent.toFixed(2)} CPU-seconds spent checking a refused plan`);
  });

  it("a check whose client hangs up stops", async (t) => {
    const kiln = await startKiln();
    cleanup.push(() => kiln.stop());
    // Sets of 20,000 cities build in a fraction of a second each: priced under the
    // budget, so the check goes on until the client leaves.
    const abort = new AbortController();
    const call = create(kiln.url, tours(20000, 40), abort.signal).catch((e) => e);
    const start = cpuSeconds(kiln.pid);
    await until("the check to start building", () => cpuSeconds(kiln.pid) - start > 0.3, { timeoutMs: 20000 });
    abort.abort();
    await call;
    const hungUp = cpuSeconds(kiln.pid);
    await cpuQuiet(kiln.pid, 30000);
    const afterwards = cpuSeconds(kiln.pid) - hungUp;
    t.diagnostic(`CPU-seconds after the hang-up: ${afterwards.toFixed(2)}`);
    assert.ok(afterwards < 2, `${afterwards.toFixed(2)} CPU-seconds of checking ran on after the hang-up`);
    const list = await request(`${kiln.url}/api/experiments`);
    assert.equal(list.json.experiments.length, 0, "a plan whose client left is not taken in");
  });

  it("a restarted server answers /health before its experiments are rebuilt", async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), "kiln-price-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const first = await startKiln(["--data-dir", dir]);
    // Long tasks over sets that take a while to rebuild.
    const plan = tours(20000, 20);
    plan.base.steps_per_cycle = 100_000_000;
    delete plan.vary.steps_per_cycle;
    plan.vary.initial_temp = Array.from({ length: 20 }, (_, i) => 10 + i);
    const created = await create(first.url, plan);
    assert.equal(created.status, 201, created.short);
    await first.stop();
    const second = await startKiln(["--data-dir", dir]);
    cleanup.push(() => second.stop());
    const health = await request(`${second.url}/health`, { timeoutMs: 5000 });
    assert.equal(health.status, 200);
    const restored = () => second.stderr().includes(`experiment ${created.json.experiment_id} restored`);
    t.diagnostic(`/health answered in ${health.ms.toFixed(0)} ms; experiment rebuilt by then: ${restored()}`);
    await until("the experiment to be rebuilt", restored, { timeoutMs: 60000 });
    const status = await request(`${second.url}/api/experiments/${created.json.experiment_id}`);
    assert.equal(status.status, 200, status.short);
  });
});
