// Issue #14 item 3: the event history is bounded by bytes, and a viewer that never
// reads cannot make the server hold the whole history for it. Before, 100 viewers of a
// pr1002 tour resuming from the oldest kept event and never reading took the server
// from 70 MB to 2.7 GB. Here ten such viewers must cost under 150 MB of resident memory
// (read from /proc), and a resume older than what is kept gets one `resync`.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fillHistory, keptHistory, openIdleViewers, peakRssOnceSettled } from "./support/history.js";
import { configure, streamingStatus } from "./support/http.js";
import { rssMegabytes } from "./support/proc.js";
import { startKiln } from "./support/server.js";
import { openStream } from "./support/sse.js";

describe("item 3: event history bounded by bytes", () => {
  let kiln;
  let session;
  const viewers = [];
  before(async () => {
    kiln = await startKiln();
    session = await configure(kiln.url, { problem: "tsp", instance: "pr1002" });
    await fillHistory(kiln.url, session, 1100, 500);
  });
  after(async () => {
    for (const viewer of viewers) viewer.destroy();
    await kiln?.stop();
  });

  it("ten viewers resuming from the oldest kept event and never reading cost under 150 MB", async (t) => {
    const { oldest, last, count } = await keptHistory(kiln.url, session.id);
    t.diagnostic(`history: ${count} events kept, ids ${oldest}..${last}`);
    const rssBefore = rssMegabytes(kiln.pid);
    await openIdleViewers(kiln.url, session.id, { count: 10, lastEventId: oldest - 1, viewers });
    const peak = await peakRssOnceSettled(kiln.pid, rssBefore, 20000);
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
