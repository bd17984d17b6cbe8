// Issue #21 (first half): the trust model. The teacher is whoever holds the server key;
// in classroom mode (the default on a network address, `--classroom` on loopback, as
// here: the tests listen on loopback only) only the teacher creates sessions, rooms and
// experiments, and a create without the key answers 401 with a message saying how the
// teacher gets in. Students still watch and join rooms. Before (main b69b225), the
// README's main command served the school network with no key.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { student } from "./support/clients.js";
import { request } from "./support/http.js";
import { startKiln } from "./support/server.js";
import { openStream } from "./support/sse.js";

const PLAN = { base: { problem: "isomer", formula: "C4H10", steps: 200 }, seeds: 1 };

const creates = [
  ["a session", "/api/sa/configure", { formula: "C6H14" }],
  ["a room", "/api/rooms", undefined],
  ["an experiment", "/api/experiments", PLAN],
];

describe("issue 21: classroom mode, played by a teacher and students on loopback", () => {
  let kiln;
  let KEY;
  before(async () => {
    kiln = await startKiln(["--classroom"]);
    const line = kiln.lines.find((l) => /[?&]key=/.test(l));
    assert.ok(line, `no key printed:\n${kiln.lines.join("\n")}`);
    KEY = line.match(/[?&]key=([A-Za-z0-9_-]+)/)[1];
  });
  after(async () => {
    await kiln?.stop();
  });

  it("prints the Local URL with the key, and no other line carries it", () => {
    const local = kiln.lines.find((l) => /^\s+Local\s/.test(l));
    assert.ok(local, kiln.lines.join("\n"));
    assert.ok(local.includes(`?key=${KEY}`), local);
    const others = kiln.lines.filter((l) => l !== local && l.includes(KEY));
    assert.deepEqual(others, []);
  });

  for (const [what, path, body] of creates) {
    it(`a student creating ${what} without the key gets 401 saying how the teacher gets in`, async () => {
      const answer = await request(`${kiln.url}${path}`, { method: "POST", body, localAddress: student(0) });
      assert.equal(answer.status, 401, answer.short);
      assert.equal(answer.json.error.code, "missing_server_key");
      assert.match(answer.json.error.message, /teacher/);
      assert.match(answer.json.error.message, /Local URL/);
    });

    it(`a wrong key creating ${what} gets 403`, async () => {
      const answer = await request(`${kiln.url}${path}`, {
        method: "POST",
        body,
        headers: { Authorization: "Bearer not-the-teacher-key" },
        localAddress: student(0),
      });
      assert.equal(answer.status, 403, answer.short);
      assert.equal(answer.json.error.code, "wrong_server_key");
    });
  }

  it("the server's own machine without the key is refused too: the key decides, not the address", async () => {
    const answer = await request(`${kiln.url}/api/sa/configure`, { method: "POST", body: { formula: "C6H14" } });
    assert.equal(answer.status, 401, answer.short);
  });

  it("the teacher, from any address, creates all three; students watch and join the room", async () => {
    const headers = { Authorization: `Bearer ${KEY}` };
    const from = student(40);
    const session = await request(`${kiln.url}/api/sa/configure`, {
      method: "POST",
      headers,
      body: { formula: "C6H14" },
      localAddress: from,
    });
    assert.equal(session.status, 201, session.short);
    const room = await request(`${kiln.url}/api/rooms`, { method: "POST", headers, localAddress: from });
    assert.equal(room.status, 201, room.short);
    const experiment = await request(`${kiln.url}/api/experiments`, {
      method: "POST",
      headers,
      body: PLAN,
      localAddress: from,
    });
    assert.equal(experiment.status, 201, experiment.short);

    const joined = await request(`${kiln.url}/api/rooms/${room.json.code}`, { localAddress: student(1) });
    assert.equal(joined.status, 200);
    const follower = await openStream(`${kiln.url}/api/rooms/${room.json.code}/stream`, { localAddress: student(1) });
    assert.equal(follower.status, 200);
    follower.destroy();
    const watcher = await openStream(`${kiln.url}/api/sa/${session.json.session_id}/stream`, {
      localAddress: student(2),
    });
    assert.equal(watcher.status, 200);
    watcher.destroy();
  });
});

describe("issue 21: --key sets the teacher key", () => {
  let kiln;
  before(async () => {
    kiln = await startKiln(["--classroom", "--key", "given-key-for-tests-21"]);
  });
  after(async () => {
    await kiln?.stop();
  });

  it("the Local URL carries the given key, and the key creates", async () => {
    assert.ok(kiln.lines.some((l) => l.includes("?key=given-key-for-tests-21")), kiln.lines.join("\n"));
    const answer = await request(`${kiln.url}/api/rooms`, {
      method: "POST",
      headers: { Authorization: "Bearer given-key-for-tests-21" },
    });
    assert.equal(answer.status, 201, answer.short);
  });
});

describe("issue 21: on loopback without --classroom, the machine's own user creates", () => {
  let kiln;
  before(async () => {
    kiln = await startKiln([]);
  });
  after(async () => {
    await kiln?.stop();
  });

  it("prints no key, and a create needs none", async () => {
    assert.ok(!kiln.lines.some((l) => /[?&]key=/.test(l)), kiln.lines.join("\n"));
    const answer = await request(`${kiln.url}/api/rooms`, { method: "POST" });
    assert.equal(answer.status, 201, answer.short);
  });
});
