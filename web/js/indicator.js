// The connection indicator: a coloured dot, the connection state in words, and the
// events per second the page is receiving (refreshed twice a second).

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
    this.label.textContent = status;
    this.element.title = detail ? `${status}: ${detail}` : status;
    this.refreshRate();
  }

  refreshRate() {
    const live = this.stream && this.stream.status === Connection.CONNECTED;
    this.rate.textContent = live ? `${this.stream.eventsPerSecond().toFixed(1)} ev/s` : "";
  }
}
