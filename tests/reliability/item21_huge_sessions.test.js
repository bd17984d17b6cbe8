// Issue #21, huge sessions: a 100,000-city session sent 5 MB per event (two drawings of
// every city and every stop), and 100 viewers resuming it and never reading held 491 MB
// that was not given back. Now a huge tour is drawn simplified (at most 61 KB a
// drawing), so an event is at most 132,288 bytes (the bound tests/huge_sessions.rs
// states), and the server's bytes in flight over all streams have a budget: 100 such
// viewers must cost under 150 MB of resident memory (read from /proc).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fillHistory, keptHistory, openIdleViewers, peakRssOnceSettled } from "./support/history.js";
import { configure, control } from "./support/http.js";
import { rssMegabytes } from "./support/proc.js";
import { startKiln } from "./support/server.js";
import { openStream } from "./support/sse.js";
import { until } from "./support/until.js";

/** The stated bound of one event of a huge tour (two drawings at their cap, escaped, and the numbers). */
const EVENT_BOUND = 132288;
const HUGE = { problem: "tsp", cities: 100000, seed: 11, steps_per_cycle: 100000000, num_cycles: 1 };

describe("item 21: huge sessions", () => {
  let kiln;
  const viewers = [];
  before(async () => {
    kiln = await startKiln();
  });
  after(async () => {
    for (const viewer of viewers) viewer.destroy();
    await kiln?.stop();
  });

  it("a 100,000-city session sends at most the stated bytes per event", async (t) => {
    const session = await configure(kiln.url, { ...HUGE, steps_per_event: 20000, max_events_per_sec: 30 });
    assert.equal((await control(kiln.url, session, "start")).status, 200);
    const viewer = await openStream(`${kiln.url}/api/sa/${session.id}/stream`);
    viewers.push(viewer);
    await until("ten progress events", () => viewer.events.filter((e) => e.event === "progress").length >= 10, {
      timeoutMs: 60000,
    });
    const sizes = viewer.events.map((e) => Buffer.byteLength(e.data));
    t.diagnostic(`largest of ${sizes.length} events: ${Math.max(...sizes)} bytes (was 5 MB)`);
    for (const e of viewer.events) assert.ok(Buffer.byteLength(e.data) <= EVENT_BOUND, `${e.event} ${e.id}: ${Buffer.byteLength(e.data)} bytes`);
    assert.equal((await control(kiln.url, session, "pause")).status, 200);
    viewer.destroy();
  });

  it("100 viewers resuming a 100,000-city session and never reading cost under 150 MB", async (t) => {
    const session = await configure(kiln.url, HUGE);
    await fillHistory(kiln.url, session, 150, 2000);
    const { oldest, last, count } = await keptHistory(kiln.url, session.id);
    t.diagnostic(`history: ${count} events kept, ids ${oldest}..${last}`);
    const rssBefore = rssMegabytes(kiln.pid);
    await openIdleViewers(kiln.url, session.id, { count: 100, lastEventId: oldest, viewers });
    const peak = await peakRssOnceSettled(kiln.pid, rssBefore, 30000);
    const grown = peak - rssBefore;
    t.diagnostic(`RSS ${rssBefore.toFixed(0)} MB -> peak ${peak.toFixed(0)} MB (+${grown.toFixed(0)} MB; was +491 MB)`);
    assert.ok(grown < 150, `100 non-reading viewers grew the server by ${grown.toFixed(0)} MB`);
  });
});
