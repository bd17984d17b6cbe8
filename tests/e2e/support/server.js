// Starts the real `kiln serve` binary on a free port and stops it again.
//
// The binary comes from $KILN_BIN (default: the release build at ../../target/release/kiln).
// `kiln serve --addr 127.0.0.1:0` prints exactly one line `Listening on http://HOST:PORT/`
// once it is bound; the tests wait for that line instead of polling the port.
// Servers keep nothing across restarts (`--data-dir none`) unless a test gives a data dir.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import readline from "node:readline";

const here = path.dirname(fileURLToPath(import.meta.url));
export const KILN_BIN = process.env.KILN_BIN || path.resolve(here, "../../../target/release/kiln");

/**
 * Starts a server; resolves to {url, lines, stop, kill9, stderr(), stderrMatch(pattern)}. `addr` picks the port (a
 * restart on the same one); `extraArgs` may give `--data-dir DIR`. `lines` fills with what it prints on stdout (the
 * Local URL with the teacher key follows "Listening on").
 */
export function startKiln(extraArgs = [], { addr = "127.0.0.1:0" } = {}) {
  const dataDir = extraArgs.includes("--data-dir") ? [] : ["--data-dir", "none"];
  const child = spawn(KILN_BIN, ["serve", "--addr", addr, ...dataDir, ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  const waiters = new Set();
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
    for (const waiter of waiters) waiter();
  });
  // Resolves once stderr matches `pattern` (lines such as "session ID restored" come
  // when the work is done, after "Listening on"); rejects after `timeout` ms.
  const stderrMatch = (pattern, timeout = 60000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (!pattern.test(stderr)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(stderr);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no stderr line matching ${pattern} within ${timeout} ms; stderr:\n${stderr}`));
      }, timeout);
      waiters.add(check);
      check();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`kiln serve printed no 'Listening on' line within 20 s; stderr:\n${stderr}`));
    }, 20000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${KILN_BIN}: ${error.message} (set KILN_BIN)`));
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`kiln serve exited with ${code} before listening; stderr:\n${stderr}`));
    });
    const lines = readline.createInterface({ input: child.stdout });
    const printed = [];
    lines.on("line", (line) => {
      printed.push(line);
      const match = line.match(/^Listening on (http:\/\/\S+?)\/?$/);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      resolve({ url: match[1], lines: printed, stop: () => stop(child), kill9: () => kill9(child), stderr: () => stderr, stderrMatch });
    });
  });
}

/** SIGKILL, as `kill -9`: resolves once the process is gone. */
function kill9(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
