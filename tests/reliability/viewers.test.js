// A class of 200 phones watches one run: every viewer must see the same event ids,
// 1..N with no gap, ending with `complete` (the session steps once per frame, whoever
// holds the stepping turn, and every viewer replays the same history).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configure, control, streamingStatus } from "./support/http.js";
import { startKiln } from "./support/server.js";
import { openStream } from "./support/sse.js";
import { until } from "./support/until.js";

const VIEWERS = 200;

describe("200 viewers of one session", () => {
  let kiln;
  const viewers = [];
  before(async () => {
    kiln = await startKiln();
  });
  after(async () => {
    for (const viewer of viewers) viewer.destroy();
    await kiln?.stop();
  });

  it("all get identical ids, 1..N, ending with complete", async (t) => {
    const session = await configure(kiln.url, {
      formula: "C8H18",
      steps_per_cycle: 500,
      num_cycles: 2,
      steps_per_event: 10,
      max_events_per_sec: 60,
    });
    for (let i = 0; i < VIEWERS; i += 20) {
      const batch = Array.from({ length: 20 }, () => openStream(`${kiln.url}/api/sa/${session.id}/stream`));
      viewers.push(...(await Promise.all(batch)));
    }
    await until("every viewer to be counted", async () => (await streamingStatus(kiln.url, session.id)).streaming_clients === VIEWERS);
    assert.equal((await control(kiln.url, session, "start")).status, 200);
    const endings = await Promise.all(viewers.map((v) => v.ended));
    assert.ok(endings.every((e) => e === "end"), `streams ended as: ${[...new Set(endings)]}`);
    const idsOf = (v) => v.events.filter((e) => e.id !== null).map((e) => `${e.event}:${e.id}`);
    const first = idsOf(viewers[0]);
    const total = first.length;
    t.diagnostic(`${VIEWERS} viewers, ${total} events each`);
    assert.deepEqual(
      first.map((s) => Number(s.split(":")[1])),
      Array.from({ length: total }, (_, i) => i + 1),
    );
    assert.equal(first.at(-1), `complete:${total}`);
    const differing = viewers.filter((v) => JSON.stringify(idsOf(v)) !== JSON.stringify(first)).length;
    assert.equal(differing, 0, `${differing} viewers saw different ids`);
  });
});
