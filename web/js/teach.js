// Teaching steps: the panel that explains the last step of a frame, and the
// highlight of the bonds that step changed on top of the current drawing.
//
// The server sends a `move` object in each progress event (protocol.md, "move"):
// the step's delta, temperature T, the draw u, p_accept = min(1, exp(-delta/T)),
// the verdict, a one-line reason, and the kind's own description (`text`, and for
// molecules `bonds` between heavy atoms). Nothing here knows a problem kind: the
// highlight draws whatever `bonds` a move lists at the atom positions the current
// drawing lists in its `data-atoms` attribute.

import { formatCount, formatValue } from "./format.js";

const SVG_NS = "http://www.w3.org/2000/svg";

export class TeachPanel {
  /**
   * @param {HTMLElement} panel    the panel (#teach)
   * @param {HTMLElement} drawing  the current state's drawing box (holds the <img>)
   */
  constructor(panel, drawing) {
    const find = (name) => panel.querySelector(`[data-teach="${name}"]`);
    this.panel = panel;
    this.el = {
      step: find("step"),
      reason: find("reason"),
      change: find("change"),
      delta: find("delta"),
      temperature: find("temperature"),
      p: find("p_accept"),
      u: find("u"),
      verdict: find("verdict"),
    };
    this.overlay = document.createElementNS(SVG_NS, "svg");
    this.overlay.classList.add("highlight");
    this.overlay.setAttribute("aria-hidden", "true");
    drawing.append(this.overlay);
    this.atoms = null;
    this.viewBox = null;
    this.move = null;
  }

  /** Forgets the run (a new session or a reset). */
  clear() {
    this.move = null;
    this.atoms = null;
    this.panel.hidden = true;
    this.overlay.replaceChildren();
  }

  /** The current drawing changed: remember where its atoms are. */
  setDrawing(svg) {
    const head = svg.slice(0, svg.indexOf(">") + 1);
    const atoms = head.match(/data-atoms="([^"]*)"/);
    const viewBox = head.match(/viewBox="([^"]*)"/);
    this.atoms = atoms
      ? atoms[1].split(" ").filter(Boolean).map((pair) => pair.split(",").map(Number))
      : null;
    this.viewBox = viewBox ? viewBox[1] : null;
    this.highlight();
  }

  /** Shows a progress event's `move` (absent at step 0). */
  show(move) {
    this.move = move || null;
    if (!move) {
      this.panel.hidden = true;
      this.overlay.replaceChildren();
      return;
    }
    const el = this.el;
    this.panel.hidden = false;
    this.panel.dataset.step = String(move.step);
    this.panel.dataset.verdict = move.verdict;
    this.panel.dataset.delta = String(move.delta);
    this.panel.dataset.temperature = String(move.temperature);
    this.panel.dataset.pAccept = String(move.p_accept);
    this.panel.dataset.u = String(move.u);
    el.step.textContent = formatCount(move.step);
    el.reason.textContent = move.reason || "";
    el.change.textContent = move.text || "";
    el.change.hidden = !move.text;
    el.delta.textContent = move.delta === null ? "–" : signed(move.delta);
    el.temperature.textContent = formatValue(move.temperature);
    el.p.textContent = move.p_accept === null ? "–" : formatValue(move.p_accept);
    el.u.textContent = formatValue(move.u);
    el.verdict.textContent = move.invalid_kind && move.invalid_kind !== "generic"
      ? `${move.verdict} (${move.invalid_kind})`
      : move.verdict;
    el.verdict.dataset.verdict = move.verdict;
    this.highlight();
  }

  /** Draws the move's changed bonds over the current drawing. */
  highlight() {
    this.overlay.replaceChildren();
    const bonds = this.move?.bonds;
    if (!bonds || !bonds.length || !this.atoms || !this.viewBox) return;
    this.overlay.setAttribute("viewBox", this.viewBox);
    // After an accepted move the drawing shows the new molecule, otherwise the old one:
    // bonds present in the drawing are solid, the others (made or broken) dashed.
    const shownOrder = (bond) => (this.move.verdict === "accepted" ? bond.to : bond.from);
    for (const bond of bonds) {
      const a = this.atoms[bond.a];
      const b = this.atoms[bond.b];
      if (!a || !b) continue;
      const line = document.createElementNS(SVG_NS, "line");
      line.setAttribute("x1", a[0]);
      line.setAttribute("y1", a[1]);
      line.setAttribute("x2", b[0]);
      line.setAttribute("y2", b[1]);
      line.setAttribute("class", shownOrder(bond) > 0 ? "changed present" : "changed absent");
      line.dataset.bond = `${bond.a}-${bond.b}`;
      this.overlay.append(line);
    }
  }
}

function signed(value) {
  return value > 0 ? `+${formatValue(value)}` : formatValue(value);
}
