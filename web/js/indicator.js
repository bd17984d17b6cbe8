// The connection indicator: a coloured dot, the connection state in words, and the
// events per second the page is receiving (refreshed twice a second). A page with no
// stream yet says "no run yet", and a finished run's closed stream says "run finished"
// (issue 22, D11): neither is a fault, so neither reads "not connected".

import { Connection } from "./stream.js";

export class ConnectionIndicator {
  /** @param {HTMLElement} element  holds .connection-label and .connection-rate */
  constructor(element) {
    this.element = element;
    this.label = element.querySelector(".connection-label");
    this.rate = element.querySelector(".connection-rate");
    this.stream = null;
    this.show(Connection.NOT_CONNECTED, "");
    setInterval(() => this.refreshRate(), 500);
  }

  /** Follows a stream's events-per-second meter (or none). */
  follow(stream) {
    this.stream = stream;
    this.refreshRate();
  }

  /** Shows a connection state with an optional detail (shown as a tooltip and to screen readers). */
  show(status, detail) {
    this.element.dataset.status = status.replace(" ", "-");
    this.label.textContent = words(status, detail, this.stream);
    this.element.title = detail ? `${status}: ${detail}` : status;
    this.refreshRate();
  }

  refreshRate() {
    const live = this.stream && this.stream.status === Connection.CONNECTED;
    this.rate.textContent = live ? `${this.stream.eventsPerSecond().toFixed(1)} ev/s` : "";
  }
}

/** The state in words: a closed stream says why when no fault closed it. */
function words(status, detail, stream) {
  if (status !== Connection.NOT_CONNECTED) return status;
  if (detail === "run complete") return "run finished";
  return stream ? status : "no run yet";
}
