// Issue #21, work: the pool for long work is shared fairly by client address, the
// teacher has a worker of his own, and a task's record (a re-run) needs the
// experiment's token and stops when its client hangs up (observed in /health's
// pool counters). Before (b69b225): the pool
// had one worker here, and a stranger looping the batch fallback on his own session
// made the teacher's step answer 503 three times of three; the record URL needed no
// token and re-ran its task with no deadline. Several clients are several loopback
// addresses (127.0.0.2, 127.0.0.3, ...); the pool's load is read from /health, never
// guessed from sleeps.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { request } from "./support/http.js";
import { startKiln } from "./support/server.js";
import { until } from "./support/until.js";

/** One request from loopback address `from` (support's `request`, a longer default wait). */
function ask(url, { from = "127.0.0.1", timeoutMs = 60000, ...options } = {}) {
  return request(url, { ...options, timeoutMs, localAddress: from });
}

/** The pool's load from /health. */
async function load(base) {
  const health = await ask(`${base}/health`, { timeoutMs: 10000 });
  assert.equal(health.status, 200, health.short);
  return health.json.work;
}

describe("issue 21: fair work", () => {
  let kiln;
  let key;
  before(async () => {
    kiln = await startKiln(["--classroom"]);
    const line = await until("the teacher link with ?key=", () => kiln.lines.find((l) => /[?&]key=/.test(l)));
    key = line.match(/[?&]key=([A-Za-z0-9_-]+)/)[1];
  });
  after(async () => {
    await kiln?.stop();
  });

  async function session(params) {
    const answer = await ask(`${kiln.url}/api/sa/configure`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
      body: params,
    });
    assert.equal(answer.status, 201, answer.short);
    return { id: answer.json.session_id, token: answer.json.control_token };
  }

  it("the teacher's step answers while a stranger loops the batch fallback", async (t) => {
    // The stranger got a session of slow steps (P64) and loops its batch fallback
    // (each call drives the run for up to 20 s on the pool).
    const strangers = await session({ formula: "P64", steps_per_cycle: 10_000_000, num_cycles: 1 });
    const teachers = await session({ formula: "C6H14", steps_per_cycle: 1_000_000, num_cycles: 1 });
    let stop = false;
    const abort = new AbortController();
    const loop = (async () => {
      for (let i = 0; i < 50 && !stop; i += 1) {
        await ask(`${kiln.url}/api/sa/${strangers.id}/stream`, {
          from: "127.0.0.2",
          headers: { Authorization: `Bearer ${strangers.token}`, Accept: "application/json" },
          signal: abort.signal,
        }).catch(() => {});
      }
    })();
    await until("the stranger's batch to hold a worker", async () => (await load(kiln.url)).running >= 1);
    const shared = (await load(kiln.url)).workers;
    t.diagnostic(`pool: ${JSON.stringify(await load(kiln.url))}`);
    const answers = [];
    for (let i = 0; i < 3; i += 1) {
      const answer = await ask(`${kiln.url}/api/sa/${teachers.id}/step?n=100`, {
        method: "POST",
        headers: { Authorization: `Bearer ${teachers.token}`, "X-Kiln-Key": key },
      });
      answers.push(answer.status);
    }
    stop = true;
    abort.abort();
    await loop;
    t.diagnostic(`the teacher's 3 steps with ${shared} shared worker(s) busy: ${answers.join(", ")}`);
    assert.deepEqual(answers, [200, 200, 200]);
    await until("the stranger's work to stop after he hung up", async () => (await load(kiln.url)).running === 0);
  });

  it("a task's record needs the experiment's token, and one hung up on stops", async (t) => {
    const plan = { base: { problem: "tsp", instance: "berlin52", steps_per_cycle: 100_000_000, num_cycles: 10 }, seeds: 1 };
    const created = await ask(`${kiln.url}/api/experiments`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
      body: plan,
    });
    assert.equal(created.status, 201, created.short);
    const { experiment_id: id, control_token: token } = created.json;
    const url = `${kiln.url}/api/experiments/${id}/tasks/0/record`;
    const anonymous = await ask(url, { from: "127.0.0.3" });
    assert.equal(anonymous.status, 401, anonymous.short);
    assert.equal((await load(kiln.url)).running, 0, "a refused record runs nothing");
    const abort = new AbortController();
    const call = ask(url, { headers: { Authorization: `Bearer ${token}` }, signal: abort.signal }).catch((e) => e);
    await until("the record's re-run to hold a worker", async () => (await load(kiln.url)).running === 1);
    abort.abort();
    await call;
    await until("the re-run to stop after the hang-up", async () => (await load(kiln.url)).running === 0);
    t.diagnostic("the record's re-run left the pool after the hang-up");
    const deleted = await ask(`${kiln.url}/api/experiments/${id}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(deleted.status, 200, deleted.short);
  });

  it("one address holds at most its share of the pool", async () => {
    const { workers, per_client: perClient } = await load(kiln.url);
    assert.ok(perClient >= 1 && perClient <= Math.max(1, Math.floor(workers / 2)), `per_client ${perClient} of ${workers}`);
  });
});
