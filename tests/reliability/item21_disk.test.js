// Issue #21, disk: a store quota by bytes (`--store-quota`), task results appended
// rather than rewritten, and new work refused at the quota while a running class
// goes on. Before (b69b225): the 100-byte plan below wrote 9.9 GB in 92 s (each
// finished task rewrote every result so far). Bytes written are read from
// /proc/PID/io (`wchar`: every byte the process handed to write()).

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { configure, control, request } from "./support/http.js";
import { startKiln } from "./support/server.js";
import { until } from "./support/until.js";

const PLAN = { base: { problem: "isomer", formula: "C4H10", steps: 1, num_cycles: 1 }, seeds: 10000 };

function bytesWritten(pid) {
  return Number(readFileSync(`/proc/${pid}/io`, "utf8").match(/^wchar:\s+(\d+)/m)[1]);
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
});
