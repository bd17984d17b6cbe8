// A minimal SSE reader over raw node:http, for tests that need to see exactly what
// the server sends (ids, event names, the end of the stream) or to misbehave on
// purpose: never read (`paused`), or hang up abruptly (`destroy`).

import http from "node:http";

/**
 * Opens `url` with Accept: text/event-stream (plus `headers`). Resolves once the
 * response head arrives, to a viewer: {status, headers, events, ended, waitFor, destroy}.
 * `events` fills with {id, event, data, at} as they arrive (`at`: performance.now()); `ended` resolves when the
 * server ends the stream. With `paused`, the body is never read. `localAddress`
 * (127.0.0.2, ...) opens it as another client.
 */
export function openStream(url, { headers = {}, paused = false, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Accept: "text/event-stream", ...headers }, agent: false, localAddress });
    req.on("error", reject);
    req.on("response", (res) => {
      const events = [];
      const waiters = new Set();
      let buffer = "";
      let endedResolve;
      const ended = new Promise((r) => (endedResolve = r));
      const viewer = {
        status: res.statusCode,
        headers: res.headers,
        events,
        ended,
        socket: req.socket,
        /** Resolves to the first event matching `predicate` (already received or future). */
        waitFor(predicate, timeoutMs = 20000) {
          const found = events.find(predicate);
          if (found) return Promise.resolve(found);
          return new Promise((done, fail) => {
            const waiter = { predicate, done };
            waiters.add(waiter);
            setTimeout(() => {
              waiters.delete(waiter);
              fail(new Error(`no matching event within ${timeoutMs} ms; got ${events.map((e) => e.event)}`));
            }, timeoutMs).unref();
          });
        },
        /** Hangs up at once, as a phone that walks out of Wi-Fi range. */
        destroy() {
          req.destroy();
          res.destroy();
        },
      };
      req.on("error", () => endedResolve("error"));
      res.on("error", () => endedResolve("error"));
      res.on("close", () => endedResolve("closed"));
      res.on("end", () => endedResolve("end"));
      if (!paused) {
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          buffer += chunk;
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event = parseBlock(block);
            if (!event) continue;
            event.at = performance.now();
            events.push(event);
            for (const waiter of waiters) {
              if (waiter.predicate(event)) {
                waiters.delete(waiter);
                waiter.done(event);
              }
            }
          }
        });
      }
      resolve(viewer);
    });
  });
}

function parseBlock(block) {
  let id = null;
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":") || line === "") continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") id = value;
    else if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (data.length === 0) return null;
  return { id, event, data: data.join("\n") };
}
