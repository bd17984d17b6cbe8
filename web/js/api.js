// The HTTP API client: one function per endpoint the page uses (docs/protocol.md).
//
// Every failure becomes an ApiError carrying the server's error code, message and the
// name of the field it blames, so the form can show the message next to that field.
// Creating (a run, a room) sends the teacher key when this browser holds one
// (`teacher.js`); a key the server calls wrong is forgotten.

import { forgetTeacherKey, teacherKey } from "./teacher.js";

/** An error answered by the server ({"error": {code, message, field}}) or a network failure. */
export class ApiError extends Error {
  constructor(status, code, message, field = null, state = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.state = state;
  }
}

export async function request(method, path, { body, token } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  // The teacher's requests carry the key beside a session's token, so the server's
  // pool keeps its reserved worker for them (docs/protocol.md, "The pool for long work").
  const key = teacherKey();
  if (key && token !== key) headers["X-Kiln-Key"] = key;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    throw new ApiError(0, "network", `The server could not be reached (${cause.message}).`);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const error = json && json.error ? json.error : {};
    if (error.code === "wrong_server_key") forgetTeacherKey();
    if (response.status === 503 && error.code === "restoring") {
      // A session the server is still rebuilding after a restart: not an error for the
      // user, nor a lost session. Ask again when Retry-After says, until it is back.
      const seconds = Number(response.headers.get("Retry-After")) || 1;
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      return request(method, path, { body, token });
    }
    throw new ApiError(
      response.status,
      error.code || `http_${response.status}`,
      error.message || `${method} ${path} answered ${response.status} ${response.statusText}`.trim(),
      error.field ?? null,
      json && json.state ? json.state : null,
    );
  }
  return json;
}

/** GET /api/problems: problem kinds with their parameters, presets and instances. */
export function fetchProblems() {
  return request("GET", "/api/problems");
}

/**
 * POST /api/sa/configure: creates a session; answers {session_id, control_token, ...}.
 * On a classroom server creating a session needs the teacher key, which the printed
 * Local URL carries and `teacher.js` keeps; watch pages never have it.
 */
export function configure(params) {
  return request("POST", "/api/sa/configure", { body: params, token: teacherKey() || undefined });
}

/** POST /api/sa/preview: the numbers a configure body would run with {config, total_steps, expected_seconds}. */
export function preview(params) {
  return request("POST", "/api/sa/preview", { body: params, token: teacherKey() || undefined });
}

/** POST /api/sa/{id}/{action} with the owner's token; action is start|pause|resume|reset. */
export function control(sessionId, token, action) {
  return request("POST", `/api/sa/${encodeURIComponent(sessionId)}/${action}`, { token });
}

/** POST /api/sa/{id}/step?n=N (or, for n = "move", step?to=move: on to the next valid move) with the owner's token. */
export function step(sessionId, token, n) {
  const query = n === "move" ? "to=move" : `n=${n}`;
  return request("POST", `/api/sa/${encodeURIComponent(sessionId)}/step?${query}`, { token });
}

/** GET /api/sa/{id}/status: the session's state and latest snapshot (watching needs no token). */
export function fetchStatus(sessionId) {
  return request("GET", `/api/sa/${encodeURIComponent(sessionId)}/status`);
}

/** The URL of a session's SSE stream, resuming after `lastEventId` when given. */
export function streamUrl(sessionId, lastEventId) {
  const base = `/api/sa/${encodeURIComponent(sessionId)}/stream`;
  return lastEventId === null ? base : `${base}?last_event_id=${encodeURIComponent(lastEventId)}`;
}

/** GET /api/sa/{id}/trace: the run's points from step 0, at most `maxPoints` of them. */
export function fetchTrace(sessionId, maxPoints) {
  return request("GET", `/api/sa/${encodeURIComponent(sessionId)}/trace?max_points=${maxPoints}`);
}

/** The URL of a session's replay record (format 2, see docs/protocol.md). */
export function recordUrl(sessionId) {
  return `/api/sa/${encodeURIComponent(sessionId)}/record`;
}

/** POST /api/sa/{id}/pacing with the owner's token: {steps_per_event?, max_events_per_sec?}. */
export function setPacing(sessionId, token, pacing) {
  return request("POST", `/api/sa/${encodeURIComponent(sessionId)}/pacing`, { body: pacing, token });
}

/**
 * POST /api/rooms: the teacher's room {code, room_token, control_token, room_url, ...}
 * (with a teacher key, the key's room while it exists); `fresh` asks for a new room.
 */
export function createRoom({ fresh = false } = {}) {
  return request("POST", fresh ? "/api/rooms?new=true" : "/api/rooms", { token: teacherKey() || undefined });
}

/** GET /api/rooms/{code}: {code, session_id, problem, room_url, join_url, qr_url, share_hint}. */
export function fetchRoom(code) {
  return request("GET", `/api/rooms/${encodeURIComponent(code)}`);
}

/** GET /api/rooms/{code} with the room token: the owner's view, with the run's `control_token`. */
export function fetchOwnedRoom(code, token) {
  return request("GET", `/api/rooms/${encodeURIComponent(code)}`, { token });
}

/** POST /api/rooms/{code}/session with the room token: the room shows this session. */
export function setRoomSession(code, token, sessionId) {
  return request("POST", `/api/rooms/${encodeURIComponent(code)}/session`, {
    body: { session_id: sessionId },
    token,
  });
}
