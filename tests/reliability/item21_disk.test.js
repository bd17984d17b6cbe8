// Issue #21, disk: a store quota by bytes (`--store-quota`), task results appended
// rather than rewritten, new work refused at the quota while a running class goes
// on, and a session at "max" pacing writing bounded bytes per event. Before
// (b69b225): the 100-byte plan below wrote 9.9 GB in 92 s (each finished task
// rewrote every result so far), and a session at "max" pacing wrote 13.2 MB/s (its
// whole record, an uploaded tour included, at every durable frame). Bytes written
// are read from /proc/PID/io (`wchar`: every byte handed to write(), sockets
// included; `write_bytes`: what went to the disk).

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { configure, control, request } from "./support/http.js";
import { openStream } from "./support/sse.js";
import { startKiln } from "./support/server.js";
import { until } from "./support/until.js";

const PLAN = { base: { problem: "isomer", formula: "C4H10", steps: 1, num_cycles: 1 }, seeds: 10000 };

function bytesWritten(pid) {
  return Number(readFileSync(`/proc/${pid}/io`, "utf8").match(/^wchar:\s+(\d+)/m)[1]);
}

function diskBytes(pid) {
  return Number(readFileSync(`/proc/${pid}/io`, "utf8").match(/^write_bytes:\s+(\d+)/m)[1]);
}

/** A TSPLIB text of `n` cities on a deterministic pseudo-random layout. */
function tsplib(n) {
  const lines = ["NAME: big", "TYPE: TSP", `DIMENSION: ${n}`, "EDGE_WEIGHT_TYPE: EUC_2D", "NODE_COORD_SECTION"];
  let x = 12345;
  const next = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return ((x / 2147483648) * 100000).toFixed(3);
  };
  for (let i = 1; i <= n; i += 1) lines.push(`${i} ${next()} ${next()}`);
  lines.push("EOF");
  return `${lines.join("\n")}\n`;
}

function storeBytes(dir) {
  return readdirSync(dir)
    .filter((name) => name.startsWith("kiln.sqlite3"))
    .reduce((sum, name) => sum + statSync(path.join(dir, name)).size, 0);
}

async function runPlan(kiln) {
  const created = await request(`${kiln.url}/api/experiments`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: PLAN,
  });
  assert.equal(created.status, 201, created.short);
  const id = created.json.experiment_id;
  return until(
    "the 10,000 tasks to complete",
    async () => {
      const state = await request(`${kiln.url}/api/experiments/${id}`);
      return state.json.state === "complete" && state.json;
    },
    { timeoutMs: 300000, everyMs: 250 },
  );
}

describe("issue 21: disk", () => {
  const dirs = [];
  const servers = [];
  after(async () => {
    for (const kiln of servers) await kiln.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function serve(args) {
    const dir = mkdtempSync(path.join(tmpdir(), "kiln-disk-"));
    dirs.push(dir);
    const kiln = await startKiln(["--data-dir", dir, ...args]);
    servers.push(kiln);
    return { kiln, dir };
  }

  it("the 100-byte plan of 10,000 one-step tasks writes far less than its quota", async (t) => {
    const quota = 1 << 30;
    const { kiln, dir } = await serve(["--store-quota", "1G"]);
    const before = bytesWritten(kiln.pid);
    const done = await runPlan(kiln);
    const written = bytesWritten(kiln.pid) - before;
    t.diagnostic(`10,000 tasks: ${(written / 1e6).toFixed(1)} MB written, store ${(storeBytes(dir) / 1e6).toFixed(1)} MB`);
    assert.equal(done.completed_tasks, 10000);
    assert.ok(written < quota / 4, `${written} bytes written`);
    assert.ok(storeBytes(dir) < quota, `${storeBytes(dir)} bytes in the store`);
  });

  it("at the quota new work is refused (507 naming the quota) and a running session goes on", async (t) => {
    const { kiln, dir } = await serve(["--store-quota", "1M"]);
    const session = await configure(kiln.url, { formula: "C6H14", steps_per_cycle: 100000, num_cycles: 1 });
    const done = await runPlan(kiln);
    assert.equal(done.completed_tasks, 10000, "the running experiment completes (its later tasks unsaved)");
    t.diagnostic(`store at a 1 MiB quota: ${(storeBytes(dir) / 1e6).toFixed(2)} MB`);
    const refused = await request(`${kiln.url}/api/experiments`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: PLAN,
    });
    assert.equal(refused.status, 507, refused.short);
    assert.equal(refused.json.error.code, "store_full");
    assert.match(refused.json.error.message, /--store-quota/);
    const noSession = await request(`${kiln.url}/api/sa/configure`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: { formula: "C6H14" },
    });
    assert.equal(noSession.status, 507, noSession.short);
    const stepped = await control(kiln.url, session, "step", { query: "n=100" });
    assert.equal(stepped.status, 200, `the running session still steps: ${stepped.short}`);
  });

  it("a session of an uploaded 20,000-city tour at max pacing writes a few KB per event, not its record", async (t) => {
    const { kiln } = await serve([]);
    const text = tsplib(20000);
    const session = await configure(kiln.url, {
      problem: "tsp",
      tsplib: text,
      steps_per_event: "max",
      steps_per_cycle: 100_000_000,
      num_cycles: 1,
    });
    assert.equal((await control(kiln.url, session, "start")).status, 200);
    const stream = await openStream(`${kiln.url}/api/sa/${session.id}/stream`);
    const progress = () => stream.events.filter((e) => e.event === "progress").length;
    await until("a first event", () => progress() >= 1, { timeoutMs: 60000 });
    const [events0, disk0] = [progress(), diskBytes(kiln.pid)];
    await until("20 more events", () => progress() >= events0 + 20, { timeoutMs: 120000 });
    const [events1, disk1] = [progress(), diskBytes(kiln.pid)];
    stream.destroy();
    const perEvent = (disk1 - disk0) / (events1 - events0);
    t.diagnostic(`${(text.length / 1e3).toFixed(0)} KB tour at max pacing: ${(perEvent / 1e3).toFixed(1)} KB to disk per event`);
    assert.ok(perEvent < text.length / 4, `${perEvent.toFixed(0)} bytes per event for a ${text.length}-byte tour`);
  });
});
