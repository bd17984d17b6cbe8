// Issue #14 item 1: a GET of the stream without `Accept: text/event-stream` (the JSON
// batch fallback) must not drive a run for someone without the control token. Before,
// it drove an idle session from step 0 to completion. Now a stranger gets the session
// as it stands; the token's holder still gets the run driven to its end.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configure, request, status } from "./support/http.js";
import { startKiln } from "./support/server.js";

describe("item 1: the batch fallback drives a run only for the token holder", () => {
  let kiln;
  before(async () => {
    kiln = await startKiln();
  });
  after(async () => {
    await kiln?.stop();
  });

  it("a stranger's batch GET leaves an idle session idle at step 0", async () => {
    const session = await configure(kiln.url, { formula: "C8H18", steps_per_cycle: 5000, num_cycles: 4 });
    const answer = await request(`${kiln.url}/api/sa/${session.id}/stream`, { headers: { Accept: "*/*" } });
    assert.equal(answer.status, 200, answer.short);
    assert.equal(answer.json.session_id, session.id);
    assert.equal(answer.json.is_complete, false, "a stranger's request completed the run");
    const now = await status(kiln.url, session.id);
    assert.equal(now.state, "idle");
    assert.equal(now.progress.step, 0, `a stranger's request moved the run to step ${now.progress.step}`);
  });

  it("a stranger's batch GET does not advance a paused session either", async () => {
    const session = await configure(kiln.url, { formula: "C8H18", steps_per_cycle: 5000, num_cycles: 4 });
    const stepped = await request(`${kiln.url}/api/sa/${session.id}/step?n=10`, {
      method: "POST",
      headers: { Authorization: `Bearer ${session.token}` },
    });
    assert.equal(stepped.status, 200, stepped.short);
    await request(`${kiln.url}/api/sa/${session.id}/stream`, { headers: { Accept: "application/json" } });
    const now = await status(kiln.url, session.id);
    assert.equal(now.progress.step, 10);
    assert.equal(now.state, "paused");
  });

  it("the token holder's batch GET drives the run to its end", async () => {
    const session = await configure(kiln.url, { formula: "C6H14", steps_per_cycle: 500, num_cycles: 2 });
    const answer = await request(`${kiln.url}/api/sa/${session.id}/stream`, {
      headers: { Accept: "application/json", Authorization: `Bearer ${session.token}` },
    });
    assert.equal(answer.status, 200, answer.short);
    assert.equal(answer.json.is_complete, true);
    assert.equal(answer.json.result.step, 1000);
    assert.equal((await status(kiln.url, session.id)).state, "complete");
  });

  it("a wrong token on the batch GET is a 403 JSON error, and the run stays put", async () => {
    const session = await configure(kiln.url, { formula: "C6H14" });
    const answer = await request(`${kiln.url}/api/sa/${session.id}/stream`, {
      headers: { Accept: "application/json", Authorization: "Bearer not-the-token" },
    });
    assert.equal(answer.status, 403, answer.short);
    assert.equal(answer.json.error.code, "wrong_token");
    assert.equal((await status(kiln.url, session.id)).progress.step, 0);
  });
});
