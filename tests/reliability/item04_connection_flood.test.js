// Issue #14 item 4: connections have a header-read timeout and an idle timeout, and the
// server caps open connections, so /health and the owner's calls still answer under a
// flood. Before, with the usual soft limit of 1,024 open files, 1,100 idle or half-sent
// sockets made /health time out, and idle sockets stayed open for good.

import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { configure, control, request } from "./support/http.js";
import { startKiln } from "./support/server.js";
import { until } from "./support/until.js";

const FLOOD = 1100;

/** Opens a TCP connection; half-sent ones write the start of a request and stop. */
function connect(port, halfSent) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.closedByServer = false;
    socket.on("error", () => {});
    socket.on("close", () => {
      socket.closedByServer = true;
    });
    socket.on("data", () => {});
    socket.once("connect", () => {
      if (halfSent) socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      resolve(socket);
    });
    socket.once("error", () => resolve(socket));
  });
}

describe("item 4: a flood of idle and half-sent sockets under `ulimit -Sn 1024`", () => {
  let kiln;
  const sockets = [];
  before(async () => {
    kiln = await startKiln([], { softFileLimit: 1024 });
    const port = Number(new URL(kiln.url).port);
    for (let i = 0; i < FLOOD; i += 100) {
      const batch = Array.from({ length: 100 }, (_, j) => connect(port, (i + j) % 2 === 1));
      sockets.push(...(await Promise.all(batch)));
    }
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await kiln?.stop();
  });

  it("/health answers", async (t) => {
    const health = await request(`${kiln.url}/health`, { timeoutMs: 20000 });
    t.diagnostic(`/health under ${FLOOD} idle or half-sent sockets answered in ${health.ms.toFixed(0)} ms`);
    assert.equal(health.status, 200);
    assert.equal(health.json.status, "ok");
  });

  it("the owner can still configure and start a run", async () => {
    const session = await configure(kiln.url, { formula: "C6H14" });
    const started = await control(kiln.url, session, "start");
    assert.equal(started.status, 200, started.short);
  });

  it("the server closes the idle and half-sent sockets by itself", async (t) => {
    const start = performance.now();
    await until(
      `the server to close all ${FLOOD} sockets`,
      () => sockets.filter((s) => !s.closedByServer).length === 0 || false,
      { timeoutMs: 45000, everyMs: 250 },
    ).catch((e) => {
      t.diagnostic(`still open after 45 s: ${sockets.filter((s) => !s.closedByServer).length}`);
      throw e;
    });
    t.diagnostic(`all closed ${((performance.now() - start) / 1000).toFixed(1)} s after the flood was open`);
  });
});
