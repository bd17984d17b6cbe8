// Issue #21 (first half): budgets per client address, on every surface, with the
// teacher's share kept. Before (main b69b225), probing as a curious student would:
// one client opened 8,192 room streams in 6.5 s and /health got no answer while they
// were held; one client filled a session's 256 viewer places and the class got 429;
// 1,024 anonymous room creates locked the teacher out, still after a restart.
//
// Several clients come from one machine by binding sockets to 127.0.0.2, 127.0.0.3,
// ... (support/clients.js); 127.0.0.1 is the server's own machine, the teacher's.
// Every loop is bounded in count, and every request in time.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { student } from "./support/clients.js";
import { configure, request } from "./support/http.js";
import { startKiln } from "./support/server.js";
import { openStream } from "./support/sse.js";

/** The teacher key `kiln serve` printed in its Local URL. */
function teacherKey(kiln) {
  const line = kiln.lines.find((l) => /[?&]key=/.test(l));
  assert.ok(line, `no key printed:\n${kiln.lines.join("\n")}`);
  return line.match(/[?&]key=([A-Za-z0-9_-]+)/)[1];
}

/** Attempts of the flood tests, and how many are in flight at once. */
const FLOOD = 10000;
const BATCH = 250;
/** Longest one stream attempt may wait for its answer before it counts as unanswered. */
const ANSWER_MS = 10000;

/** Opens a stream as `localAddress`; {status: 0} when no answer came within ANSWER_MS. */
async function tryStream(url, localAddress) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ status: 0, destroy() {} }), ANSWER_MS);
  });
  const opened = openStream(url, { localAddress }).catch(() => ({ status: -1, destroy() {} }));
  const answer = await Promise.race([opened, timeout]);
  clearTimeout(timer);
  if (answer.status === 0) opened.then((late) => late.destroy());
  return answer;
}

/**
 * One client tries FLOOD streams of `url`, BATCH at a time, and keeps the ones it gets;
 * /health is asked between batches. Stops early once an attempt goes unanswered.
 */
async function flood(kiln, url, localAddress) {
  const held = [];
  const result = { held, refused: 0, retryAfter: 0, unanswered: 0, other: 0, healthMs: [], healthStatus: [] };
  for (let i = 0; i < FLOOD && result.unanswered === 0; i += BATCH) {
    const batch = await Promise.all(Array.from({ length: BATCH }, () => tryStream(url, localAddress)));
    for (const answer of batch) {
      if (answer.status === 200) held.push(answer);
      else {
        if (answer.status === 429) {
          result.refused += 1;
          if (Number(answer.headers["retry-after"]) > 0) result.retryAfter += 1;
        } else if (answer.status === 0) result.unanswered += 1;
        else result.other += 1;
        answer.destroy();
      }
    }
    const health = await request(`${kiln.url}/health`, { timeoutMs: 20000 }).catch(() => ({ status: 0, ms: 20000 }));
    result.healthMs.push(health.ms);
    result.healthStatus.push(health.status);
  }
  return result;
}

const figures = (r) =>
  `held ${r.held.length}, refused ${r.refused} (Retry-After on ${r.retryAfter}), unanswered ${r.unanswered}, ` +
  `other ${r.other}; /health ${r.healthMs.length} times, slowest ${Math.max(...r.healthMs).toFixed(1)} ms, ` +
  `median ${r.healthMs.sort((a, b) => a - b)[Math.floor(r.healthMs.length / 2)].toFixed(1)} ms`;

describe("issue 21: one client trying 10,000 room streams", () => {
  let kiln;
  let code;
  let result;
  before(async () => {
    kiln = await startKiln(["--classroom"]);
    const teacher = { Authorization: `Bearer ${teacherKey(kiln)}` };
    const room = await request(`${kiln.url}/api/rooms`, { method: "POST", headers: teacher });
    assert.equal(room.status, 201, room.short);
    code = room.json.code;
    result = await flood(kiln, `${kiln.url}/api/rooms/${code}/stream`, student(0));
  });
  after(async () => {
    for (const viewer of result?.held ?? []) viewer.destroy();
    await kiln?.stop();
  });

  it("are refused with 429 and Retry-After past the client's budget, and every attempt is answered", (t) => {
    t.diagnostic(`room streams from one client: ${figures(result)}`);
    assert.equal(result.unanswered, 0, "an attempt got no answer within 10 s");
    assert.equal(result.other, 0);
    assert.ok(result.held.length > 0 && result.held.length <= 64, `held ${result.held.length}`);
    assert.equal(result.held.length + result.refused, FLOOD);
    assert.equal(result.retryAfter, result.refused, "every 429 says when to retry");
  });

  it("/health answered between every batch, and counts the room streams", async (t) => {
    assert.ok(result.healthStatus.every((s) => s === 200), `statuses ${[...new Set(result.healthStatus)]}`);
    const health = await request(`${kiln.url}/health`);
    t.diagnostic(`/health with ${result.held.length} room streams held: ${health.ms.toFixed(1)} ms`);
    assert.equal(health.json.open_streams.room, result.held.length);
  });

  it("a classmate still follows the room", async () => {
    const classmate = await tryStream(`${kiln.url}/api/rooms/${code}/stream`, student(1));
    assert.equal(classmate.status, 200, "the classmate's stream got no answer (0) or a refusal");
    const first = await classmate.waitFor((e) => e.event === "room");
    assert.equal(JSON.parse(first.data).code, code);
    classmate.destroy();
  });
});

/**
 * A raw keep-alive connection from `localAddress` that asks GET /health once and
 * stays open: resolves to {socket, status, closed} once the first answer's status
 * line arrived (status 0 if the server closed it without one within ANSWER_MS).
 */
function keptConnection(port, localAddress) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1", localAddress });
    const state = { socket, status: 0, closed: false };
    let text = "";
    const done = () => {
      clearTimeout(timer);
      resolve(state);
    };
    const timer = setTimeout(done, ANSWER_MS);
    socket.on("error", () => {});
    socket.on("close", () => {
      state.closed = true;
      done();
    });
    socket.on("data", (chunk) => {
      text += chunk;
      const match = text.match(/^HTTP\/1\.1 (\d{3})/);
      if (match && state.status === 0) {
        state.status = Number(match[1]);
        if (state.status === 200) done();
      }
    });
    socket.once("connect", () => socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  });
}

describe("issue 21: one client holding 1,000 keep-alive connections", () => {
  let kiln;
  const connections = [];
  before(async () => {
    kiln = await startKiln([]);
    const port = Number(new URL(kiln.url).port);
    for (let i = 0; i < 1000; i += 100) {
      const batch = Array.from({ length: 100 }, () => keptConnection(port, student(0)));
      connections.push(...(await Promise.all(batch)));
    }
  });
  after(async () => {
    for (const c of connections) c.socket.destroy();
    await kiln?.stop();
  });

  it("keeps at most its budget; the rest are answered 429 and closed, and other clients are answered", async (t) => {
    const kept = connections.filter((c) => c.status === 200 && !c.closed).length;
    const refused = connections.filter((c) => c.status === 429 && c.closed).length;
    const health = await request(`${kiln.url}/health`, { localAddress: student(1), timeoutMs: 20000 });
    t.diagnostic(`1,000 keep-alive connections from one client: ${kept} kept, ${refused} answered 429 and closed; ` +
      `/health from another client ${health.ms.toFixed(1)} ms`);
    assert.ok(kept <= 128, `kept ${kept}`);
    assert.equal(kept + refused, 1000, `${1000 - kept - refused} neither kept nor refused`);
    assert.equal(health.status, 200);
  });
});

describe("issue 21: one client trying 10,000 viewers of the teacher's session", () => {
  let kiln;
  let session;
  let result;
  const classmates = [];
  before(async () => {
    kiln = await startKiln([]);
    session = await configure(kiln.url, { formula: "C6H14" });
    result = await flood(kiln, `${kiln.url}/api/sa/${session.id}/stream`, student(0));
  });
  after(async () => {
    for (const viewer of [...(result?.held ?? []), ...classmates]) viewer.destroy();
    await kiln?.stop();
  });

  it("are refused with 429 past the client's viewers of one session", (t) => {
    t.diagnostic(`session streams from one client: ${figures(result)}`);
    assert.equal(result.unanswered, 0);
    assert.ok(result.held.length > 0 && result.held.length <= 8, `held ${result.held.length}`);
    assert.equal(result.held.length + result.refused, FLOOD);
    assert.equal(result.retryAfter, result.refused);
  });

  it("thirty classmates can all watch, and the teacher's machine too", async () => {
    for (let n = 1; n <= 30; n += 1) {
      const viewer = await tryStream(`${kiln.url}/api/sa/${session.id}/stream`, student(n));
      classmates.push(viewer);
      assert.equal(viewer.status, 200, `classmate ${student(n)}`);
    }
    const projector = await tryStream(`${kiln.url}/api/sa/${session.id}/stream`, "127.0.0.1");
    classmates.push(projector);
    assert.equal(projector.status, 200);
    const status = await request(`${kiln.url}/api/sa/${session.id}/streaming-status`);
    assert.equal(status.json.streaming_clients, result.held.length + 31);
  });
});

describe("issue 21: 1,024 anonymous room creates, then a restart", () => {
  let kiln;
  let dataDir;
  // The default mode on loopback: anyone creates, under the budgets; the teacher is
  // the server's own machine (127.0.0.1).
  const args = () => ["--data-dir", dataDir];
  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "kiln-rooms-"));
    kiln = await startKiln(args());
  });
  after(async () => {
    await kiln?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("students fill at most seven eighths of the rooms; the teacher creates before and after a restart", async (t) => {
    // 512 clients, two creates each (the per-client budget), 32 at a time.
    const answers = [];
    for (let i = 0; i < 1024; i += 32) {
      const batch = Array.from({ length: 32 }, (_, j) =>
        request(`${kiln.url}/api/rooms`, { method: "POST", localAddress: student((i + j) >> 1) }),
      );
      answers.push(...(await Promise.all(batch)));
    }
    const made = answers.filter((a) => a.status === 201).length;
    const refused = answers.filter((a) => a.status === 429);
    t.diagnostic(`1,024 anonymous creates: ${made} made, ${refused.length} refused with 429`);
    assert.equal(made + refused.length, 1024);
    assert.equal(made, 1024 - 1024 / 8, "the last eighth is kept for the teacher");
    assert.ok(refused.every((a) => Number(a.headers["retry-after"]) > 0), "every 429 has Retry-After");
    const over = await request(`${kiln.url}/api/rooms`, { method: "POST", localAddress: student(0) });
    assert.equal(over.status, 429, "a client past its own budget");

    const before = await request(`${kiln.url}/api/rooms`, { method: "POST" });
    assert.equal(before.status, 201, before.short);

    await kiln.stop();
    kiln = await startKiln(args());
    const again = await request(`${kiln.url}/api/rooms`, { method: "POST" });
    assert.equal(again.status, 201, again.short);
    const kept = await request(`${kiln.url}/api/rooms/${answers.find((a) => a.status === 201).json.code}`);
    assert.equal(kept.status, 200, "the students' rooms came back too (they are idle, not forgotten)");
    const student901 = await request(`${kiln.url}/api/rooms`, { method: "POST", localAddress: student(901) });
    assert.equal(student901.status, 429, "a restart does not hand the teacher's share to students");
  });
});

describe("issue 21: with --open, anyone creates, under the budgets", () => {
  let kiln;
  before(async () => {
    kiln = await startKiln(["--open"]);
  });
  after(async () => {
    await kiln?.stop();
  });

  it("one client gets its eight live sessions, then 429; another client and the teacher's machine still create", async () => {
    for (let i = 0; i < 8; i += 1) {
      const answer = await request(`${kiln.url}/api/sa/configure`, {
        method: "POST",
        body: { formula: "C4H10" },
        localAddress: student(0),
      });
      assert.equal(answer.status, 201, answer.short);
    }
    const over = await request(`${kiln.url}/api/sa/configure`, {
      method: "POST",
      body: { formula: "C4H10" },
      localAddress: student(0),
    });
    assert.equal(over.status, 429, over.short);
    assert.ok(Number(over.headers["retry-after"]) > 0);
    assert.match(over.json.error.message, /this client/);
    const other = await request(`${kiln.url}/api/sa/configure`, {
      method: "POST",
      body: { formula: "C4H10" },
      localAddress: student(1),
    });
    assert.equal(other.status, 201, other.short);
    await configure(kiln.url, { formula: "C4H10" });
  });

  it("one client makes two rooms, then 429", async () => {
    for (let i = 0; i < 2; i += 1) {
      const answer = await request(`${kiln.url}/api/rooms`, { method: "POST", localAddress: student(2) });
      assert.equal(answer.status, 201, answer.short);
    }
    const over = await request(`${kiln.url}/api/rooms`, { method: "POST", localAddress: student(2) });
    assert.equal(over.status, 429, over.short);
  });

  it("one client runs one experiment at a time; another client still starts one", async () => {
    const plan = { base: { problem: "isomer", formula: "C8H18", steps: 100000000 }, seeds: 1 };
    const create = (n) => request(`${kiln.url}/api/experiments`, { method: "POST", body: plan, localAddress: student(n) });
    const first = await create(3);
    assert.equal(first.status, 201, first.short);
    const over = await create(3);
    assert.equal(over.status, 429, over.short);
    assert.ok(Number(over.headers["retry-after"]) > 0);
    const other = await create(4);
    assert.equal(other.status, 201, other.short);
    for (const made of [first, other]) {
      const deleted = await request(`${kiln.url}/api/experiments/${made.json.experiment_id}`, {
        method: "DELETE",
        headers: { Authorization: `Bearer ${made.json.control_token}` },
      });
      assert.equal(deleted.status, 200, deleted.short);
    }
    const again = await create(3);
    assert.equal(again.status, 201, "a deleted experiment frees its place");
    await request(`${kiln.url}/api/experiments/${again.json.experiment_id}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${again.json.control_token}` },
    });
  });

  it("students together leave the teacher's share of sessions", async () => {
    // 64 sessions at most; 10 are taken above. Students 10.. make one each until refused.
    let made = 0;
    for (let n = 10; n < 80; n += 1) {
      const answer = await request(`${kiln.url}/api/sa/configure`, {
        method: "POST",
        body: { formula: "C4H10" },
        localAddress: student(n),
      });
      if (answer.status !== 201) {
        assert.equal(answer.status, 429, answer.short);
        break;
      }
      made += 1;
    }
    const held = (await request(`${kiln.url}/health`)).json.sessions;
    assert.equal(held, 64 - 64 / 8, `students stopped at ${held} sessions (${made} in this loop)`);
    await configure(kiln.url, { formula: "C4H10" });
  });
});
