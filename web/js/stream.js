// The live connection to a session's SSE stream, with reconnects that lose nothing.
//
// The page manages reconnects itself instead of leaving them to EventSource: a browser's
// EventSource retries forever and cannot tell a dropped network from a finished run, so
// the page could never say "failed". On any error the EventSource is closed and a new one
// is opened after a short back-off with `?last_event_id=N` (the id of the last event the
// page applied); the server replays every event after N from its history. Events that
// arrive twice (an id not above the last applied one) are dropped, so the chart gets
// each step exactly once.
//
// A restarted server keeps its sessions and goes on with the same event ids, so the
// same reconnect carries a page across a restart. `gone` turns true only when the
// server says the session does not exist (404) or ended it: then nothing reconnects.

import { fetchStatus, streamUrl } from "./api.js";

/** Connection states, as the indicator shows them. */
export const Connection = Object.freeze({
  NOT_CONNECTED: "not connected",
  CONNECTING: "connecting",
  CONNECTED: "connected",
  RECONNECTING: "reconnecting",
  FAILED: "failed",
});

const EVENT_TYPES = ["connected", "progress", "waiting", "complete", "error", "resync", "shutdown"];
// Event types whose id orders them: a repeated id is a replay the page already applied.
const SEQUENCED = new Set(["progress", "complete", "resync"]);
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
const MAX_ATTEMPTS = 12;
const RATE_WINDOW_MS = 2000;

export class StreamConnection {
  /**
   * @param {string} sessionId
   * @param {{onEvent: (type: string, data: object) => void, onStatus: (status: string, detail: string) => void}} handlers
   */
  constructor(sessionId, { onEvent, onStatus }) {
    this.sessionId = sessionId;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.source = null;
    this.lastEventId = null;
    this.status = Connection.NOT_CONNECTED;
    this.attempts = 0;
    this.retryTimer = null;
    this.finished = false;
    this.gone = false;
    this.arrivals = [];
  }

  /** Opens the stream (again), resuming after the last applied event. */
  open() {
    this.finished = false;
    this.attempts = 0;
    this.connect(this.lastEventId === null ? Connection.CONNECTING : Connection.RECONNECTING);
  }

  /** Closes the stream for good (until `open` is called again). */
  close(detail = "") {
    this.stop();
    this.setStatus(Connection.NOT_CONNECTED, detail);
  }

  /** Simulates a dropped connection (a test and debugging hook): reconnects as after a network error. */
  drop() {
    if (this.source) this.handleError();
  }

  /** Events received per second over the last two seconds. */
  eventsPerSecond(now = performance.now()) {
    while (this.arrivals.length && now - this.arrivals[0] > RATE_WINDOW_MS) this.arrivals.shift();
    return (this.arrivals.length * 1000) / RATE_WINDOW_MS;
  }

  connect(status) {
    this.stop();
    this.setStatus(status, "");
    const source = new EventSource(streamUrl(this.sessionId, this.lastEventId));
    this.source = source;
    source.onopen = () => {
      if (this.source !== source) return;
      this.attempts = 0;
      this.setStatus(Connection.CONNECTED, "");
    };
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (event) => {
        if (this.source !== source) return;
        if (type === "error" && !(event instanceof MessageEvent)) {
          this.handleError();
          return;
        }
        this.handleMessage(type, event);
      });
    }
  }

  handleMessage(type, event) {
    const id = event.lastEventId === "" ? NaN : Number(event.lastEventId);
    if (SEQUENCED.has(type) && Number.isFinite(id)) {
      if (this.lastEventId !== null && id <= this.lastEventId) return;
      this.lastEventId = id;
    }
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      data = { message: String(event.data) };
    }
    this.arrivals.push(performance.now());
    if (type === "complete") {
      this.finished = true;
      this.stop();
      this.setStatus(Connection.NOT_CONNECTED, "run complete");
    } else if (type === "error") {
      this.finished = true;
      this.gone = data.code === "session_ended";
      this.stop();
      this.setStatus(Connection.FAILED, data.message || "the server ended the stream");
    }
    this.onEvent(type, data);
  }

  handleError() {
    this.stop();
    if (this.finished) return;
    this.attempts += 1;
    if (this.attempts > MAX_ATTEMPTS) {
      this.setStatus(Connection.FAILED, "gave up reconnecting");
      return;
    }
    this.setStatus(Connection.RECONNECTING, `attempt ${this.attempts}`);
    const delay = BACKOFF_MS[Math.min(this.attempts - 1, BACKOFF_MS.length - 1)];
    this.retryTimer = setTimeout(() => this.retry(), delay);
  }

  async retry() {
    this.retryTimer = null;
    // A session that no longer exists will never stream again: say so instead of retrying.
    if (this.attempts > 2) {
      try {
        await fetchStatus(this.sessionId);
      } catch (error) {
        if (error.status === 404 || error.status === 400) {
          this.gone = true;
          this.setStatus(Connection.FAILED, error.message || "the session no longer exists");
          return;
        }
      }
      if (this.finished || this.status !== Connection.RECONNECTING) return;
    }
    this.connect(Connection.RECONNECTING);
  }

  stop() {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.source) this.source.close();
    this.source = null;
  }

  setStatus(status, detail) {
    this.status = status;
    this.onStatus(status, detail);
  }
}
