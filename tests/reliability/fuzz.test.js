// A property-based fuzzer over every endpoint and parameter: thousands of requests from
// a fixed seed (the same requests every run), bounded in count and time. Properties:
// no 5xx, the server never dies or panics, every 4xx is a JSON error with a code and a
// message, and a configure whose only odd parameter was rejected names that parameter.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { configure, request } from "./support/http.js";
import { startKiln } from "./support/server.js";

const SEED = 20261202;
const REQUESTS = 3000;
const TIME_LIMIT_MS = 90000;
const WORKERS = 6;

/** mulberry32: a tiny deterministic PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Odd values for a parameter (raw JSON text, so 1e999 and -0 survive). */
const ODD_VALUES = [
  "null", "-1", "0", "-0", "1", "3", "1.5", "1e999", "-1e999", "1e308", "18446744073709551616",
  "9007199254740993", "\"\"", "\"x\"", "\"NaN\"", "\"Infinity\"", "\"max\"", "\"auto\"", "true", "[]",
  "{}", "[1,2]", "{\"a\":1}", "\"C1000H2002\"", "\"C2H7\"", "\"H2O\"", "\"ZZ9\"", "\"c6h14\"",
  "\"MAXIMIZE\"", "\"faulon\"", "\"geometric\"", "\"clustered\"", "\"berlin52\"", "\"pr1002\"",
  "\"nonexistent\"", `"${"C".repeat(5000)}"`, "\"\\u0000\"", "\"\\r\\n\"", "\"<script>\"", "64", "65",
  "1000", "1001", "100000", "100001", "0.05", "60", "61", "{\"wiener_index\": -1}",
  "{\"wiener_index\": 1, \"logp\": 1}", "{\"unknown\": 1}", "\"NAME: x\\nTYPE: TSP\\nDIMENSION: 3\\nEOF\"",
];

/** Parameters whose accepted values cost real CPU to build are fed only small ones. */
const COSTLY = new Set(["cities", "tsplib", "formula", "instance"]);
const SMALL_FOR_COSTLY = ["\"C6H14\"", "\"C2H7\"", "\"berlin52\"", "5", "2", "-1", "\"x\"", "null", "100001", "[]"];

const pick = (rand, list) => list[Math.floor(rand() * list.length)];

describe("fuzzing every endpoint and parameter", () => {
  let kiln;
  let parameters;
  const sessions = [];
  before(async () => {
    kiln = await startKiln(["--max-sessions", "200"]);
    const catalog = (await request(`${kiln.url}/api/problems`)).json;
    parameters = new Map(catalog.problems.map((p) => [p.name, p.parameters.map((q) => q.name)]));
    for (const params of [{ formula: "C6H14" }, { problem: "tsp", instance: "eil51" }]) {
      sessions.push(await configure(kiln.url, params));
    }
  });
  after(async () => {
    await kiln?.stop();
  });

  /** One random request: {method, path, headers, body, expectField}. */
  function generate(rand) {
    const kind = pick(rand, [...parameters.keys()]);
    const known = sessions[Math.floor(rand() * sessions.length)];
    const ids = [known.id, known.id, "00000000-0000-4000-8000-000000000000", "not-a-uuid", "%2e%2e", "x".repeat(300), ""];
    const tokens = [known.token, known.token, "wrong", "", undefined];
    const token = pick(rand, tokens);
    const auth = token === undefined ? {} : { Authorization: `Bearer ${token}` };
    const roll = rand();
    if (roll < 0.45) {
      const field = rand() < 0.9 ? pick(rand, parameters.get(kind)) : pick(rand, ["bogus", "Formula", "problem", "seed "]);
      const value = COSTLY.has(field) ? pick(rand, SMALL_FOR_COSTLY) : pick(rand, ODD_VALUES);
      const body = field === "problem" ? `{"problem": ${value}}` : `{"problem": "${kind}", "${field}": ${value}}`;
      return { method: "POST", path: "/api/sa/configure", headers: { "Content-Type": "application/json" }, body, expectField: field };
    }
    if (roll < 0.55) {
      const body = pick(rand, ["", "{", "[]", "null", "\"x\"", "{\"problem\": }", "{}{}", "\u00ff\u00fe", "{\"a\":".repeat(200)]);
      return { method: "POST", path: "/api/sa/configure", headers: { "Content-Type": pick(rand, ["application/json", "text/plain", "x/y"]) }, body };
    }
    if (roll < 0.8) {
      const action = pick(rand, ["start", "pause", "resume", "reset", "step", "step", "bogus", ""]);
      const n = pick(rand, ["", "n=1", "n=0", "n=-1", "n=100", "n=100000", "n=100001", "n=x", "n=1e3", "n=18446744073709551616", "n=%00"]);
      return { method: pick(rand, ["POST", "POST", "POST", "GET", "PUT"]), path: `/api/sa/${pick(rand, ids)}/${action}${n ? `?${n}` : ""}`, headers: auth };
    }
    const id = pick(rand, ids);
    const path = pick(rand, [
      `/api/sa/${id}/status`, `/api/sa/${id}/streaming-status`, `/api/sa/${id}/record`, `/api/sa/${id}/watch-qr.svg`,
      `/api/sa/${id}/stream?last_event_id=${pick(rand, ["1", "x", "-1", "99999999999999999999"])}`,
      `/api/sa/${id}`, "/api/sa", "/api/problems", "/health", "/", `/watch/${id}`, "/static/js/api.js", "/static/../Cargo.toml",
      "/static/%2e%2e/Cargo.toml", "/nope", "/api/sa/configure",
    ]);
    const method = pick(rand, ["GET", "GET", "GET", "HEAD", "DELETE", "POST", "PUT", "OPTIONS"]);
    return { method, path, headers: { ...auth, Accept: pick(rand, ["*/*", "application/json", ""]) } };
  }

  it(`${REQUESTS} requests from seed ${SEED}: no 5xx, no panic, every 4xx a JSON error naming its field`, async (t) => {
    const deadline = performance.now() + TIME_LIMIT_MS;
    const byStatus = new Map();
    const failures = [];
    let sent = 0;
    const worker = async (index) => {
      const rand = prng(SEED + index);
      for (let i = index; i < REQUESTS && performance.now() < deadline; i += WORKERS) {
        const r = generate(rand);
        let answer;
        try {
          answer = await request(`${kiln.url}${r.path}`, { method: r.method, headers: r.headers, body: r.body, timeoutMs: 30000 });
        } catch (error) {
          failures.push(`${r.method} ${r.path}: ${error.message}`);
          continue;
        }
        sent += 1;
        byStatus.set(answer.status, (byStatus.get(answer.status) || 0) + 1);
        const what = `${r.method} ${r.path} ${r.body?.slice(0, 120) ?? ""} -> ${answer.status} ${answer.short}`;
        if (answer.status >= 500) failures.push(what);
        if (answer.status >= 400 && r.method !== "HEAD") {
          const error = answer.json?.error;
          if (typeof error?.code !== "string" || typeof error?.message !== "string") failures.push(`not a JSON error: ${what}`);
          else if (r.expectField && error.code === "invalid_parameter" && error.field !== r.expectField) {
            failures.push(`names field '${error.field}', not '${r.expectField}': ${what}`);
          }
        }
        if (answer.status === 201 && answer.json?.session_id) {
          await request(`${kiln.url}/api/sa/${answer.json.session_id}`, {
            method: "DELETE",
            headers: { Authorization: `Bearer ${answer.json.control_token}` },
          });
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
    t.diagnostic(`${sent} requests; by status: ${JSON.stringify(Object.fromEntries([...byStatus].sort()))}`);
    const health = await request(`${kiln.url}/health`);
    assert.equal(health.status, 200, "the server is still up");
    assert.doesNotMatch(kiln.stderr(), /panicked/, "the server panicked");
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} failures`);
  });
});
