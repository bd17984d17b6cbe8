// Shutdown with 50 open streams: SIGTERM must end every stream with a `shutdown` event
// and the process must exit by itself. The time from SIGTERM to exit is reported (the
// issue asks for under 2 s; wall time is reported, not asserted).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configure, control } from "./support/http.js";
import { startKiln } from "./support/server.js";
import { openStream } from "./support/sse.js";

describe("graceful shutdown", () => {
  it("50 open streams each get `shutdown`, and the process exits", async (t) => {
    const kiln = await startKiln();
    const running = await configure(kiln.url, { formula: "C8H18", steps_per_cycle: 1_000_000, num_cycles: 1 });
    const idle = await configure(kiln.url, { formula: "C6H14" });
    assert.equal((await control(kiln.url, running, "start")).status, 200);
    const viewers = [];
    for (let i = 0; i < 50; i += 1) {
      const session = i % 2 === 0 ? running : idle;
      viewers.push(await openStream(`${kiln.url}/api/sa/${session.id}/stream`));
    }
    await Promise.all(viewers.map((v) => v.waitFor((e) => e.event === "connected")));
    const stopped = await kiln.stop();
    t.diagnostic(`SIGTERM to exit with 50 open streams: ${stopped.ms.toFixed(0)} ms (exit ${stopped.code ?? stopped.signal})`);
    assert.equal(stopped.signal, null, `killed by ${stopped.signal}, not exited`);
    assert.equal(stopped.code, 0);
    await Promise.all(viewers.map((v) => v.ended));
    const without = viewers.filter((v) => !v.events.some((e) => e.event === "shutdown")).length;
    assert.equal(without, 0, `${without} of 50 streams ended without a shutdown event`);
  });
});
