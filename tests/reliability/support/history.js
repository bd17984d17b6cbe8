// A session's history made large and resumed by viewers that never read: the steps
// shared by the tests that bound what a big history costs the server's memory.

import { control, streamingStatus } from "./http.js";
import { rssMegabytes } from "./proc.js";
import { openStream } from "./sse.js";
import { until } from "./until.js";

/** Appends `events` events to the history: manual steps of `steps` steps, each one event with its drawings. */
export async function fillHistory(base, session, events, steps) {
  for (let i = 0; i < events; i += 1) {
    const stepped = await control(base, session, "step", { query: `n=${steps}` });
    if (stepped.status !== 200) throw new Error(`step ${i + 1} of ${events}: ${stepped.short}`);
  }
}

/** The events the server keeps for session `id`: {oldest, last, count} (ids). */
export async function keptHistory(base, id) {
  const kept = await streamingStatus(base, id);
  return { oldest: kept.last_event_id - kept.buffered_events + 1, last: kept.last_event_id, count: kept.buffered_events };
}

/**
 * Opens `count` streams of session `id` resuming after `lastEventId` that never read,
 * pushing each onto `viewers` (the caller destroys them), and resolves once the server
 * counts them all.
 */
export async function openIdleViewers(base, id, { count, lastEventId, viewers }) {
  for (let i = 0; i < count; i += 1) {
    viewers.push(await openStream(`${base}/api/sa/${id}/stream?last_event_id=${lastEventId}`, { paused: true }));
  }
  await until(`${count} open streams`, async () => (await streamingStatus(base, id)).streaming_clients === count);
}

/**
 * The highest resident size of process `pid` (MB), read every 500 ms until two readings
 * in a row differ by under 2 MB (each stream's sender has run as far as its socket
 * lets it), starting from `floor`; rejects after `timeoutMs`.
 */
export async function peakRssOnceSettled(pid, floor, timeoutMs) {
  let peak = floor;
  let previous = -1;
  await until(
    "resident memory to settle",
    () => {
      const now = rssMegabytes(pid);
      peak = Math.max(peak, now);
      const settled = Math.abs(now - previous) < 2;
      previous = now;
      return settled;
    },
    { everyMs: 500, timeoutMs },
  );
  return peak;
}
