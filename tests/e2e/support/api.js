// Direct HTTP access to the server under test, for facts the tests compare the page
// against (the session's real step) and for an extra viewer that keeps a run advancing.

import http from "node:http";

/** GET /api/sa/{id}/status, as {state, step}. */
export async function status(baseUrl, sessionId) {
  const response = await fetch(`${baseUrl}/api/sa/${sessionId}/status`);
  if (!response.ok) throw new Error(`status answered ${response.status}`);
  const body = await response.json();
  return { state: body.state, step: body.progress.step };
}

/**
 * Opens a stream as a second viewer straight to the server: sessions advance only
 * while someone watches, so this keeps the run going while the page is cut off.
 * Returns a function that closes it.
 */
export function openViewer(baseUrl, sessionId) {
  const request = http.get(`${baseUrl}/api/sa/${sessionId}/stream`, {
    headers: { Accept: "text/event-stream" },
  });
  request.on("response", (response) => response.resume());
  request.on("error", () => {});
  return () => request.destroy();
}
