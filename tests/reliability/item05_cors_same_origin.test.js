// Issue #14 item 5: `--allow-origin` must not break the teacher's own page. Before, the
// page's same-origin POST got `403 CORS request forbidden` in plain text. Now a request
// whose Origin is the server's own passes, the allowed origin gets CORS headers, and a
// foreign origin gets a JSON 403 that says which origin was refused.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { request } from "./support/http.js";
import { startKiln } from "./support/server.js";

const ALLOWED = "http://teacher.example:3000";

describe("item 5: CORS with --allow-origin", () => {
  let kiln;
  before(async () => {
    kiln = await startKiln(["--allow-origin", ALLOWED]);
  });
  after(async () => {
    await kiln?.stop();
  });

  const post = (origin) =>
    request(`${kiln.url}/api/sa/configure`, {
      method: "POST",
      headers: { Origin: origin, "Content-Type": "application/json" },
      body: { formula: "C6H14" },
    });

  it("the page's own same-origin configure succeeds", async () => {
    const answer = await post(kiln.url);
    assert.equal(answer.status, 201, answer.short);
  });

  it("the allowed origin gets its CORS headers", async () => {
    const answer = await post(ALLOWED);
    assert.equal(answer.status, 201, answer.short);
    assert.equal(answer.headers["access-control-allow-origin"], ALLOWED);
  });

  it("a preflight from the allowed origin names the methods and headers", async () => {
    const answer = await request(`${kiln.url}/api/sa/configure`, {
      method: "OPTIONS",
      headers: {
        Origin: ALLOWED,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization",
      },
    });
    assert.ok(answer.status === 200 || answer.status === 204, answer.short);
    assert.equal(answer.headers["access-control-allow-origin"], ALLOWED);
    assert.match(answer.headers["access-control-allow-methods"].toUpperCase(), /POST/);
    assert.match(answer.headers["access-control-allow-headers"].toLowerCase(), /authorization/);
  });

  it("a foreign origin gets a JSON 403 naming the origin", async () => {
    const answer = await post("http://stranger.example");
    assert.equal(answer.status, 403, answer.short);
    assert.match(answer.headers["content-type"], /application\/json/);
    assert.equal(typeof answer.json?.error?.code, "string", answer.short);
    assert.match(answer.json.error.message, /stranger\.example/);
  });
});
