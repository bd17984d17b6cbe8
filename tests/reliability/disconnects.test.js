// 1,000 viewers connect to a running session and hang up abruptly (no close handshake
// beyond the socket's reset): the server must free every stream place, so
// streaming-status and /health count 0 open streams afterwards.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configure, control, request, streamingStatus } from "./support/http.js";
import { startKiln } from "./support/server.js";
import { openStream } from "./support/sse.js";
import { until } from "./support/until.js";

const DISCONNECTS = 1000;
const AT_ONCE = 50;

describe("abrupt disconnects", () => {
  let kiln;
  before(async () => {
    kiln = await startKiln();
  });
  after(async () => {
    await kiln?.stop();
  });

  it(`${DISCONNECTS} abrupt disconnects leak 0 streams`, async () => {
    const session = await configure(kiln.url, { formula: "C8H18", steps_per_cycle: 1_000_000, num_cycles: 1 });
    assert.equal((await control(kiln.url, session, "start")).status, 200);
    const url = `${kiln.url}/api/sa/${session.id}/stream`;
    for (let done = 0; done < DISCONNECTS; done += AT_ONCE) {
      await Promise.all(
        Array.from({ length: AT_ONCE }, async (_, i) => {
          const viewer = await openStream(url);
          assert.equal(viewer.status, 200);
          // Half hang up after the first event, half before reading anything.
          if ((done + i) % 2 === 0) await viewer.waitFor((e) => e.event === "connected");
          viewer.socket.resetAndDestroy?.() ?? viewer.destroy();
        }),
      );
    }
    await until("0 streams of the session", async () => (await streamingStatus(kiln.url, session.id)).streaming_clients === 0);
    await until("0 streams on the server", async () => (await request(`${kiln.url}/health`)).json.streams === 0);
  });
});
