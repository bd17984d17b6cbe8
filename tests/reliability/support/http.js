// Plain HTTP requests to the server under test over node:http, one fresh connection
// each (no pooling, so one test's connections never leak into another's counts), with
// a timeout, and the API calls the tests repeat: configure and the owner's controls.

import http from "node:http";

/**
 * One request. Resolves to {status, headers, text, short, json, ms} (`short`: the first
 * 300 characters, for assertion messages) (json undefined unless the
 * body parses); rejects on a network error or after `timeoutMs` without an answer.
 * `signal` aborts it (the client hangs up). `localAddress` (127.0.0.2, ...) makes it
 * come from another client, as far as the server's per-client budgets can tell.
 */
export function request(url, { method = "GET", headers = {}, body, timeoutMs = 20000, signal, localAddress } = {}) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false, signal, localAddress }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString("utf8");
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({
          status: res.statusCode,
          headers: res.headers,
          text,
          short: text.slice(0, 300),
          json,
          ms: performance.now() - started,
        });
      });
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    if (body !== undefined) req.write(typeof body === "string" ? body : JSON.stringify(body));
    req.end();
  });
}

/** POST /api/sa/configure; resolves to {id, token, body}; throws unless 201. */
export async function configure(base, params = {}, headers = {}) {
  const answer = await request(`${base}/api/sa/configure`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: params,
  });
  if (answer.status !== 201) {
    throw new Error(`configure ${JSON.stringify(params)} answered ${answer.status}: ${answer.short}`);
  }
  return { id: answer.json.session_id, token: answer.json.control_token, body: answer.json };
}

/** POST /api/sa/{id}/{action}[?query] with the control token. */
export function control(base, session, action, { query = "", signal, timeoutMs } = {}) {
  return request(`${base}/api/sa/${session.id}/${action}${query ? `?${query}` : ""}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${session.token}` },
    signal,
    timeoutMs,
  });
}

/** GET /api/sa/{id}/status as JSON (throws unless 200). */
export async function status(base, id) {
  const answer = await request(`${base}/api/sa/${id}/status`);
  if (answer.status !== 200) throw new Error(`status answered ${answer.status}: ${answer.short}`);
  return answer.json;
}

/** GET /api/sa/{id}/streaming-status as JSON (throws unless 200). */
export async function streamingStatus(base, id) {
  const answer = await request(`${base}/api/sa/${id}/streaming-status`);
  if (answer.status !== 200) throw new Error(`streaming-status answered ${answer.status}: ${answer.short}`);
  return answer.json;
}
