// Issue #14 item 3: the event history is bounded by bytes, and a viewer that never
// reads cannot make the server hold the whole history for it. Before, 100 viewers of a
// pr1002 tour resuming from the oldest kept event and never reading took the server
// from 70 MB to 2.7 GB. Here ten such viewers must cost under 150 MB of resident memory
// (read from /proc), and a resume older than what is kept gets one `resync`.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configure, control, streamingStatus } from "./support/http.js";
import { rssMegabytes } from "./support/proc.js";
import { startKiln } from "./support/server.js";
import { openStream } from "./support/sse.js";
import { until } from "./support/until.js";

describe("item 3: event history bounded by bytes", () => {
  let kiln;
  let session;
  const viewers = [];
  before(async () => {
    kiln = await startKiln();
    session = await configure(kiln.url, { problem: "tsp", instance: "pr1002" });
    // Fill the history: every manual step appends one event with both tour drawings.
    for (let i = 0; i < 1100; i += 1) {
      const stepped = await control(kiln.url, session, "step", { query: "n=500" });
      assert.equal(stepped.status, 200, stepped.short);
    }
  });
  after(async () => {
    for (const viewer of viewers) viewer.destroy();
    await kiln?.stop();
  });

  it("ten viewers resuming from the oldest kept event and never reading cost under 150 MB", async (t) => {
    const kept = await streamingStatus(kiln.url, session.id);
    const oldest = kept.last_event_id - kept.buffered_events + 1;
    t.diagnostic(`history: ${kept.buffered_events} events kept, ids ${oldest}..${kept.last_event_id}`);
    const rssBefore = rssMegabytes(kiln.pid);
    for (let i = 0; i < 10; i += 1) {
      const url = `${kiln.url}/api/sa/${session.id}/stream?last_event_id=${oldest - 1}`;
      viewers.push(await openStream(url, { paused: true }));
    }
    await until("ten open streams", async () => (await streamingStatus(kiln.url, session.id)).streaming_clients === 10);
    // Each viewer's generator runs as far as its socket lets it; take the peak.
    let peak = rssBefore;
    let previous = -1;
    await until(
      "resident memory to settle",
      () => {
        const now = rssMegabytes(kiln.pid);
        peak = Math.max(peak, now);
        const settled = Math.abs(now - previous) < 2;
        previous = now;
        return settled;
      },
      { everyMs: 500, timeoutMs: 20000 },
    );
    const grown = peak - rssBefore;
    t.diagnostic(`RSS ${rssBefore.toFixed(0)} MB -> peak ${peak.toFixed(0)} MB (+${grown.toFixed(0)} MB)`);
    assert.ok(grown < 150, `ten non-reading viewers grew the server by ${grown.toFixed(0)} MB`);
  });

  it("a resume older than the history gets one resync with the current state", async () => {
    const viewer = await openStream(`${kiln.url}/api/sa/${session.id}/stream?last_event_id=1`);
    viewers.push(viewer);
    const first = await viewer.waitFor((e) => e.event !== "connected");
    assert.equal(first.event, "resync");
    const kept = await streamingStatus(kiln.url, session.id);
    assert.equal(Number(first.id), kept.last_event_id);
  });
});
