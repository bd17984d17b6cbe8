// Without Chromium a browser test fails at once, naming the executable it looked for,
// instead of failing its hook and then waiting for the server it had started. Runs a
// real browser test file (bad_parameter, which starts `kiln serve` first) in a child
// node with CHROMIUM_BIN pointing nowhere; needs no browser itself.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const MISSING = path.join(here, "no-such-dir", "chromium");

/**
 * Runs the test file `file` in a node of its own with `env` added, killed when `signal`
 * aborts; resolves to {code, output}.
 */
function runTestFile(file, env, signal) {
  // Without this runner's context, so the child runs its tests rather than skip them.
  const { NODE_TEST_CONTEXT: _, ...outer } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], {
      cwd: here,
      env: { ...outer, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      signal,
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => (error.name === "AbortError" ? undefined : reject(error)));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("a browser test without Chromium", () => {
  // A hang (the old behaviour) ends at this timeout as a failure.
  it("ends with a failure that names the missing executable", { timeout: 60000 }, async (t) => {
    const { code, output } = await runTestFile("bad_parameter.test.js", { CHROMIUM_BIN: MISSING }, t.signal);
    assert.notEqual(code, 0, output);
    assert.ok(output.includes(`no Chromium executable at ${MISSING}`), output);
  });
});
