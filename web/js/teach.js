// Teaching steps: the panel that explains the last step of a frame, and the
// marks of that step on top of the current drawing: the bonds (or tour edges) it
// changed, before and after, and the atoms (or spins) it touched, with their numbers.
//
// The server sends a `move` object in each progress event (protocol.md, "move"):
// the step's delta, temperature T, the draw u, p_accept = min(1, exp(-delta/T)),
// the verdict, a one-line reason, and the kind's own description (`text`, and for
// molecules `bonds` between heavy atoms and the `atoms` it touched). Nothing here
// knows a problem kind: the marks are drawn for whatever `bonds` and `atoms` a move
// lists, at the positions the current drawing lists in its `data-atoms` attribute,
// numbered from 1 as the move's text names them. In step mode (the page's state is
// idle or paused) every atom's number is shown, so a class can follow the text; a
// `skipped` note says how many invalid draws a "Step" press passed over, and why.
// A tempering run's step (every replica took one; the coldest one's move is shown)
// that ended an exchange round lists the swaps tried in a small table: the pair's
// temperatures and energies, the chance of the swap, the draw and the outcome.

import { formatCount, formatValue } from "./format.js";

const SVG_NS = "http://www.w3.org/2000/svg";
/** Most points numbered all at once in step mode (a molecule's atoms, a small tour's cities). */
const NUMBERED_ATOMS = 64;

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
      skipped: find("skipped") || this.addSkippedLine(),
      exchange: find("exchange") || this.addExchangeTable(),
    };
    this.overlay = document.createElementNS(SVG_NS, "svg");
    this.overlay.classList.add("highlight");
    this.overlay.setAttribute("aria-hidden", "true");
    drawing.append(this.overlay);
    this.atoms = null;
    this.viewBox = null;
    this.move = null;
    // Step mode follows the page's state (main.js keeps it on <html data-state>).
    new MutationObserver(() => this.highlight()).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["data-state"],
    });
  }

  /** The line saying how many draws a "Step" press skipped (made here, so the page's markup needs none). */
  addSkippedLine() {
    const line = document.createElement("p");
    line.className = "teach-skipped";
    line.dataset.teach = "skipped";
    line.hidden = true;
    const reason = this.panel.querySelector('[data-teach="reason"]');
    if (reason) reason.before(line);
    else this.panel.append(line);
    return line;
  }

  /** The table of an exchange round's swaps (made here, so the page's markup needs none). */
  addExchangeTable() {
    const table = document.createElement("table");
    table.className = "teach-exchange";
    table.dataset.teach = "exchange";
    table.hidden = true;
    const caption = table.createCaption();
    const head = table.createTHead().insertRow();
    for (const [text, title] of [
      ["pair", "The two neighbouring temperatures"],
      ["energies", "The energies of the two configurations"],
      ["p swap", "min(1, exp((1/T_i - 1/T_j)(E_i - E_j))) when minimising"],
      ["draw u", "The swap is taken when u < p swap"],
      ["", ""],
    ]) {
      const th = document.createElement("th");
      th.textContent = text;
      if (title) th.title = title;
      head.append(th);
    }
    table.createTBody();
    caption.textContent = "Exchange round";
    this.panel.append(table);
    return table;
  }

  /** Fills the exchange table from a move's `exchange` (hidden when the step ended no round). */
  showExchange(exchange) {
    const table = this.el.exchange;
    table.hidden = !exchange;
    const body = table.tBodies[0];
    body.replaceChildren();
    if (!exchange) return;
    table.caption.textContent = `Exchange round ${formatCount(exchange.round)}: neighbouring temperatures try to swap configurations`;
    for (const t of exchange.tries) {
      const row = body.insertRow();
      row.dataset.pair = String(t.pair);
      row.dataset.swapped = String(t.swapped);
      const cells = [
        `T ${formatValue(t.temperatures[0])} ↔ ${formatValue(t.temperatures[1])}`,
        `${formatValue(t.energies[0])}, ${formatValue(t.energies[1])}`,
        formatValue(t.p_swap),
        formatValue(t.u),
        t.swapped ? "swapped" : "kept",
      ];
      for (const text of cells) row.insertCell().textContent = text;
    }
  }

  /** Whether the run is being stepped by hand (idle or paused): then every atom shows its number. */
  stepping() {
    const state = document.documentElement.dataset.state;
    return state === "idle" || state === "paused";
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
    const columns = head.match(/data-columns="(\d+)"/);
    const viewBox = head.match(/viewBox="([^"]*)"/);
    this.viewBox = viewBox ? viewBox[1] : null;
    if (atoms) {
      this.atoms = atoms[1].split(" ").filter(Boolean).map((pair) => pair.split(",").map(Number));
    } else if (columns && this.viewBox) {
      // A grid of cells (spins): cell i is at column i mod columns, row i div columns.
      const across = Number(columns[1]);
      const rows = Math.round(Number(this.viewBox.split(/[ ,]+/)[3]) || 0);
      this.atoms = Array.from({ length: across * rows }, (_, i) => [(i % across) + 0.5, Math.floor(i / across) + 0.5]);
    } else {
      this.atoms = null;
    }
    this.highlight();
  }

  /** Shows a progress event's `move` (absent at step 0). */
  show(move) {
    this.move = move || null;
    if (!move) {
      this.showExchange(null);
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
    el.skipped.textContent = move.skipped ? move.skipped.text : "";
    el.skipped.hidden = !move.skipped || move.skipped.draws === 0;
    this.panel.dataset.skipped = move.skipped ? String(move.skipped.draws) : "";
    this.panel.dataset.atoms = (move.atoms || []).join(" ");
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
    this.showExchange(move.exchange || null);
    this.highlight();
  }

  /** Draws the move's marks over the current drawing: changed bonds, touched atoms, numbers. */
  highlight() {
    this.overlay.replaceChildren();
    if (!this.move || !this.atoms || !this.viewBox) return;
    this.overlay.setAttribute("viewBox", this.viewBox);
    // Marks keep their size on the page: a molecule's drawing is a few hundred units wide, a tour's a thousand.
    const [, , width, height] = this.viewBox.split(/[ ,]+/).map(Number);
    const unit = Math.max(width || 0, height || 0, 1) / 300;
    // After an accepted move the drawing shows the new structure, otherwise the old one:
    // bonds present in the drawing are solid, the others (made or broken) dashed.
    const shownOrder = (bond) => (this.move.verdict === "accepted" ? bond.to : bond.from);
    for (const bond of this.move.bonds || []) {
      const a = this.atoms[bond.a];
      const b = this.atoms[bond.b];
      if (!a || !b) continue;
      const line = this.svg("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1] });
      line.style.strokeWidth = String(7 * unit);
      line.setAttribute("class", shownOrder(bond) > 0 ? "changed present" : "changed absent");
      line.dataset.bond = `${bond.a}-${bond.b}`;
      line.dataset.change = bond.from > bond.to ? "removed" : bond.from < bond.to ? "added" : "kept";
      this.overlay.append(line);
    }
    const marked = new Set(this.move.atoms || []);
    for (const atom of marked) {
      const at = this.atoms[atom];
      if (!at) continue;
      const ring = this.svg("circle", { cx: at[0], cy: at[1], r: 9 * unit, fill: "none", stroke: "#f59e0b", "stroke-width": 3 * unit });
      ring.setAttribute("class", "marked");
      ring.dataset.atom = String(atom);
      this.overlay.append(ring);
    }
    // Numbers: every atom's in step mode (up to NUMBERED_ATOMS of them), else the touched
    // atoms' (as the text names them, from 1).
    const all = this.stepping() && this.atoms.length <= NUMBERED_ATOMS;
    this.atoms.forEach((at, atom) => {
      if (!all && !marked.has(atom)) return;
      const label = this.svg("text", {
        x: at[0] + 7 * unit,
        y: at[1] - 7 * unit,
        "font-size": (marked.has(atom) ? 12 : 9) * unit,
        "font-weight": marked.has(atom) ? 700 : 400,
        "font-family": "sans-serif",
        fill: marked.has(atom) ? "#b45309" : "currentColor",
        opacity: marked.has(atom) ? 1 : 0.65,
      });
      label.setAttribute("class", marked.has(atom) ? "atom-number marked" : "atom-number");
      label.dataset.atom = String(atom);
      label.textContent = String(atom + 1);
      this.overlay.append(label);
    });
  }

  svg(name, attributes) {
    const element = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
    return element;
  }
}

function signed(value) {
  return value > 0 ? `+${formatValue(value)}` : formatValue(value);
}
