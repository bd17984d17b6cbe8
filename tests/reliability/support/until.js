// Awaiting a condition instead of sleeping: poll `check` until it returns a truthy
// value, failing with `what` after `timeoutMs`. The bound is a guard against hangs,
// never a speed check.

export const PATIENCE_MS = 20000;

/** Resolves to the first truthy value of `check()`; rejects after `timeoutMs`. */
export async function until(what, check, { timeoutMs = PATIENCE_MS, everyMs = 50 } = {}) {
  const deadline = performance.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A promise that rejects with `what` after `ms`, for racing a request that may hang. */
export function deadline(ms, what) {
  let timer;
  const promise = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  promise.clear = () => clearTimeout(timer);
  return promise;
}
