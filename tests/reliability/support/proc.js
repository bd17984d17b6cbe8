// What the kernel says about the server process: CPU time used and resident memory,
// read from /proc (Linux), so a test can bound the work and memory a request costs.

import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/** User + system CPU seconds the process has used so far (all threads). */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / ticksPerSecond;
}

/** Resident set size in megabytes. */
export function rssMegabytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  return match ? Number(match[1]) / 1024 : NaN;
}

/**
 * Resolves once the process used less than 20 ms of CPU over a one-second window (it
 * has stopped working); rejects after `timeoutMs`.
 */
export async function cpuQuiet(pid, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  let previous = cpuSeconds(pid);
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = cpuSeconds(pid);
    if (now - previous < 0.02) return;
    previous = now;
  }
  throw new Error(`the server was still busy ${timeoutMs} ms later`);
}
