// Issue #14 item 8: every GET resource answers HEAD (same status and type as GET, no
// body), and a 405 carries `Allow` and a JSON error. Before, HEAD answered 405
// everywhere and no 405 said which methods would do.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configure, request } from "./support/http.js";
import { startKiln } from "./support/server.js";

describe("item 8: HEAD and Allow", () => {
  let kiln;
  let session;
  before(async () => {
    kiln = await startKiln();
    session = await configure(kiln.url, { formula: "C6H14" });
  });
  after(async () => {
    await kiln?.stop();
  });

  const resources = () => [
    "/health",
    "/api/problems",
    "/api/sa",
    "/",
    `/watch/${session.id}`,
    `/api/sa/${session.id}/status`,
    `/api/sa/${session.id}/streaming-status`,
    `/api/sa/${session.id}/watch-qr.svg`,
    `/api/sa/${session.id}/record`,
    "/api/sa/00000000-0000-4000-8000-000000000000/status",
  ];

  it("HEAD answers like GET, without a body, on every GET resource", async () => {
    for (const path of resources()) {
      const get = await request(`${kiln.url}${path}`);
      const head = await request(`${kiln.url}${path}`, { method: "HEAD" });
      assert.equal(head.status, get.status, `HEAD ${path}: ${head.status}, GET: ${get.status}`);
      assert.equal(head.headers["content-type"], get.headers["content-type"], `HEAD ${path} content type`);
      assert.equal(head.text, "", `HEAD ${path} sent a body`);
    }
  });

  it("HEAD on a stream answers its headers without opening a stream", async () => {
    const head = await request(`${kiln.url}/api/sa/${session.id}/stream`, {
      method: "HEAD",
      headers: { Accept: "text/event-stream" },
      timeoutMs: 5000,
    });
    assert.equal(head.status, 200);
    assert.match(head.headers["content-type"], /text\/event-stream/);
  });

  for (const [method, path, allowed] of [
    ["DELETE", "/health", ["GET", "HEAD"]],
    ["POST", "/api/problems", ["GET", "HEAD"]],
    ["GET", "/api/sa/configure", ["POST"]],
    ["PUT", "/api/sa/{id}/status", ["GET", "HEAD"]],
    ["GET", "/api/sa/{id}/start", ["POST"]],
    ["PATCH", "/api/sa/{id}", ["DELETE"]],
  ]) {
    it(`${method} ${path} is a JSON 405 with Allow: ${allowed.join(", ")}`, async () => {
      const answer = await request(`${kiln.url}${path.replace("{id}", session.id)}`, { method });
      assert.equal(answer.status, 405, answer.short);
      const allow = (answer.headers.allow || "").split(",").map((m) => m.trim().toUpperCase());
      for (const m of allowed) assert.ok(allow.includes(m), `Allow '${answer.headers.allow}' lacks ${m}`);
      assert.equal(answer.json?.error?.code, "method_not_allowed", answer.short);
    });
  }
});
