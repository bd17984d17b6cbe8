// Issue #14 item 6: students cannot take every session slot, and status polling does
// not keep a session alive. Before, 64 anonymous configures took every slot (429 for
// the teacher), and polling /status kept a session forever. `kiln serve --classroom`
// prints a server key (in the teacher's page link) that creating a session needs; a
// session's idle TTL counts only its owner's calls and its open streams.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configure, control, request } from "./support/http.js";
import { startKiln } from "./support/server.js";
import { openStream } from "./support/sse.js";
import { until } from "./support/until.js";

describe("item 6: --classroom needs the server key to create sessions", () => {
  let kiln;
  let key;
  before(async () => {
    kiln = await startKiln(["--classroom"]);
    // The teacher link follows the "Listening on" line and the list of URLs.
    const line = await until("kiln serve --classroom to print a teacher link with ?key=", () =>
      kiln.lines.find((l) => /key/i.test(l) && /[?&]key=/.test(l)),
    );
    key = line.match(/[?&]key=([A-Za-z0-9_-]+)/)[1];
  });
  after(async () => {
    await kiln?.stop();
  });

  it("seventy anonymous configures are refused, and the teacher still gets a session", async () => {
    for (let i = 0; i < 70; i += 1) {
      const answer = await request(`${kiln.url}/api/sa/configure`, { method: "POST", body: { formula: "C6H14" } });
      assert.equal(answer.status, 401, answer.short);
      assert.equal(typeof answer.json.error.code, "string");
    }
    const wrong = await request(`${kiln.url}/api/sa/configure`, {
      method: "POST",
      headers: { Authorization: "Bearer not-the-key" },
      body: { formula: "C6H14" },
    });
    assert.equal(wrong.status, 403, wrong.short);
    const teacher = await configure(kiln.url, { formula: "C6H14" }, { Authorization: `Bearer ${key}` });
    assert.equal(typeof teacher.token, "string");
  });

  it("the teacher's page gets the key and a watcher's page does not", async () => {
    const teacher = await request(`${kiln.url}/?key=${key}`);
    assert.equal(teacher.status, 200);
    const watcher = await request(`${kiln.url}/watch/00000000-0000-4000-8000-000000000000`);
    assert.ok(!watcher.text.includes(key), "a watcher's page contains the server key");
  });
});

describe("item 6: the idle TTL counts only owner activity and open streams", () => {
  let kiln;
  before(async () => {
    kiln = await startKiln(["--session-ttl", "1s"]);
  });
  after(async () => {
    await kiln?.stop();
  });

  it("a session polled for its status, but unwatched and untouched, expires", async () => {
    const session = await configure(kiln.url, { formula: "C6H14" });
    await until(
      "the polled session to expire (404)",
      async () => (await request(`${kiln.url}/api/sa/${session.id}/status`)).status === 404,
      { timeoutMs: 15000, everyMs: 100 },
    );
  });

  it("a session with an open stream lives past the TTL", async () => {
    const session = await configure(kiln.url, { formula: "C6H14" });
    const viewer = await openStream(`${kiln.url}/api/sa/${session.id}/stream`);
    // The stream sends `waiting` about every second; four of them span well over the TTL.
    for (let i = 0; i < 4; i += 1) {
      await viewer.waitFor((e) => e.event === "waiting" && !e.seen && (e.seen = true));
    }
    assert.equal((await request(`${kiln.url}/api/sa/${session.id}/status`)).status, 200);
    viewer.destroy();
    const started = await control(kiln.url, session, "pause");
    assert.equal(started.status, 409, "the owner's call reaches the live session");
  });
});
