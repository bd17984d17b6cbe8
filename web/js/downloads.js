// The downloads of a run: the best state's SVG, the energy trace as CSV (from the
// chart's data) and the replay record JSON (from the server).

import { recordUrl } from "./api.js";

export class Downloads {
  /**
   * @param {HTMLElement} element  holds button.download-svg, button.download-csv and a.download-record
   * @param {{bestSvg: () => string|null, csv: () => string, sessionId: () => string|null}} sources
   */
  constructor(element, sources) {
    this.sources = sources;
    this.element = element;
    this.record = element.querySelector(".download-record");
    element.querySelector(".download-svg").addEventListener("click", () => {
      const svg = sources.bestSvg();
      if (svg) save(new Blob([svg], { type: "image/svg+xml" }), `kiln-best-${this.stem()}.svg`);
    });
    element.querySelector(".download-csv").addEventListener("click", () => {
      save(new Blob([sources.csv()], { type: "text/csv" }), `kiln-energy-${this.stem()}.csv`);
    });
  }

  /** Points the replay record link at the current session. */
  setSession(sessionId) {
    this.element.hidden = !sessionId;
    if (sessionId) {
      this.record.href = recordUrl(sessionId);
      this.record.download = `kiln-replay-${sessionId.slice(0, 8)}.json`;
    } else {
      this.record.removeAttribute("href");
    }
  }

  stem() {
    return (this.sources.sessionId() || "run").slice(0, 8);
  }
}

function save(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
