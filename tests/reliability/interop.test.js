// Two third-party SSE clients, npm `eventsource` and Python `httpx-sse`, watch one run
// through a proxy that keeps cutting their connections, the way a classroom Wi-Fi does.
// Each must see every progress id exactly once, in order (0 gaps, 0 duplicates), end
// with `complete`, and get 204 when it reconnects after the end (so it stops).
// The Python client needs the venv that setup.sh makes (tests/reliability/.venv).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { EventSource } from "eventsource";
import { configure, control } from "./support/http.js";
import { startProxy } from "./support/proxy.js";
import { startKiln } from "./support/server.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = path.join(here, ".venv", "bin", "python");

/** Checks ids 1..last each once, in order, the last one `complete`. */
function assertWhole(name, events) {
  const ids = events.map((e) => Number(e.id));
  const expected = Array.from({ length: ids.length }, (_, i) => i + 1);
  const seen = new Set(ids);
  assert.equal(seen.size, ids.length, `${name}: ${ids.length - seen.size} duplicate ids`);
  assert.deepEqual(ids, expected, `${name}: ids are not 1..${ids.length} in order`);
  assert.equal(events.at(-1).event, "complete", `${name}: the last event is ${events.at(-1).event}`);
}

describe("third-party SSE clients through a connection-cutting proxy", () => {
  let kiln;
  let proxy;
  let cutter;
  before(async () => {
    assert.ok(existsSync(PYTHON), `no ${PYTHON}: run tests/reliability/setup.sh first`);
    kiln = await startKiln();
    proxy = await startProxy(kiln.url);
  });
  after(async () => {
    clearInterval(cutter);
    await proxy?.close();
    await kiln?.stop();
  });

  it("eventsource and httpx-sse each get every event once and a 204 at the end", async (t) => {
    // 100 progress events at up to 60 a second, so the run spans several cuts.
    const session = await configure(kiln.url, {
      formula: "C8H18",
      steps_per_cycle: 500,
      num_cycles: 4,
      steps_per_event: 20,
      max_events_per_sec: 60,
    });
    const streamUrl = `${proxy.url}/api/sa/${session.id}/stream`;

    const js = { events: [], errors: [] };
    const jsDone = new Promise((resolve) => {
      const source = new EventSource(streamUrl);
      const keep = (e) => js.events.push({ id: e.lastEventId, event: e.type });
      source.addEventListener("progress", keep);
      source.addEventListener("complete", keep);
      source.addEventListener("error", (e) => {
        js.errors.push(e.code ?? e.message);
        if (e.code === 204 || source.readyState === EventSource.CLOSED) {
          source.close();
          resolve();
        }
      });
    });

    const py = spawn(PYTHON, [path.join(here, "interop_httpx_sse.py"), streamUrl], { stdio: ["ignore", "pipe", "pipe"] });
    let pyOut = "";
    let pyErr = "";
    py.stdout.on("data", (c) => (pyOut += c));
    py.stderr.on("data", (c) => (pyErr += c));
    const pyDone = new Promise((resolve) => py.on("exit", resolve));

    // Both clients connected (the server counts them), then start and keep cutting.
    const { streamingStatus } = await import("./support/http.js");
    const { until } = await import("./support/until.js");
    await until("both clients to connect", async () => (await streamingStatus(kiln.url, session.id)).streaming_clients >= 2);
    assert.equal((await control(kiln.url, session, "start")).status, 200);
    let cuts = 0;
    cutter = setInterval(() => {
      proxy.cut();
      cuts += 1;
    }, 700);
    const timeout = setTimeout(() => py.kill("SIGKILL"), 90000);
    const [code] = await Promise.all([pyDone, jsDone]);
    clearTimeout(timeout);
    clearInterval(cutter);
    t.diagnostic(`${cuts} cuts, ${proxy.connections()} connections through the proxy`);

    assertWhole("eventsource", js.events);
    assert.ok(js.errors.includes(204), `eventsource did not stop on a 204: ${js.errors}`);
    assert.equal(code, 0, `the httpx-sse client failed: ${pyErr}`);
    const report = JSON.parse(pyOut);
    assertWhole("httpx-sse", report.events);
    assert.equal(report.final_status, 204);
    t.diagnostic(`eventsource: ${js.events.length} events; httpx-sse: ${report.events.length} events, ${report.connections} connections`);
    assert.ok(report.connections > 1, "the proxy never cut the Python client");
  });
});
