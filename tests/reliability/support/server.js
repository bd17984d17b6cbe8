// Starts the real `kiln serve` binary on a free loopback port, and stops it again.
//
// The binary comes from $KILN_BIN (default: the release build at ../../target/release/kiln).
// `kiln serve --addr 127.0.0.1:0` prints `Listening on http://HOST:PORT/` once bound; the
// tests wait for that line instead of polling the port. The process id is exposed so a test
// can read the server's CPU time and memory from /proc (see proc.js), and every stdout line
// is kept so a test can read what the server printed at start (the classroom key).

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import readline from "node:readline";

const here = path.dirname(fileURLToPath(import.meta.url));
export const KILN_BIN = process.env.KILN_BIN || path.resolve(here, "../../../target/release/kiln");

/**
 * Starts `kiln serve --addr 127.0.0.1:0 ...args`. With `softFileLimit`, the server starts
 * under `ulimit -Sn N` (as a laptop starts it: soft limit 1,024, hard limit higher).
 * Resolves to {url, pid, lines, stderr(), exited, stop()}.
 */
export function startKiln(args = [], { softFileLimit } = {}) {
  // Each server keeps its sessions in memory only, so no test sees another's sessions.
  const dataDir = args.includes("--data-dir") ? [] : ["--data-dir", "none"];
  const serveArgs = ["serve", "--addr", "127.0.0.1:0", ...dataDir, ...args];
  const child = softFileLimit
    ? spawn("bash", ["-c", `ulimit -Sn ${softFileLimit}; exec "$0" "$@"`, KILN_BIN, ...serveArgs], {
        stdio: ["ignore", "pipe", "pipe"],
      })
    : spawn(KILN_BIN, serveArgs, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const lines = [];
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`kiln serve printed no 'Listening on' line within 20 s; stderr:\n${stderr}`));
    }, 20000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${KILN_BIN}: ${error.message} (set KILN_BIN)`));
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`kiln serve exited with ${code} before listening; stderr:\n${stderr}`));
    });
    const reader = readline.createInterface({ input: child.stdout });
    reader.on("line", (line) => {
      lines.push(line);
      const match = line.match(/^Listening on (http:\/\/\S+?)\/?$/);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1],
        pid: child.pid,
        lines,
        stderr: () => stderr,
        exited,
        /** Sends SIGTERM; resolves to {code, signal, ms} once the process is gone (SIGKILL after 10 s). */
        stop: () => stop(child, exited),
      });
    });
  });
}

async function stop(child, exited) {
  const started = performance.now();
  if (child.exitCode === null && child.signalCode === null) {
    const force = setTimeout(() => child.kill("SIGKILL"), 10000);
    child.kill("SIGTERM");
    const result = await exited;
    clearTimeout(force);
    return { ...result, ms: performance.now() - started };
  }
  return { ...(await exited), ms: 0 };
}
