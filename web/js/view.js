// The live view: current and best state as the server's SVG drawings, the counters,
// cycle, progress bar, run state, and the summary of a finished run.
//
// Nothing here knows a problem kind. GET /api/problems describes each kind's view
// (what a state is called, its extra counters, which progress fields caption the
// drawings), and the view shows whatever kind a session names from that description.
//
// The server's SVG is shown through an <img> with a data: URL rather than inserted into
// the document. The drawings are trusted server output with no scripts, but an image
// cannot run script or reach the page even if one slipped in, it needs no sanitiser,
// and the page's CSS cannot leak into the drawing. The cost (no styling the SVG from
// the page's CSS) does not matter: the renderer already draws for a white card.

import { formatCount, formatDuration, formatPercent, formatValue } from "./format.js";

const STATE_LABELS = { none: "no run yet", idle: "ready", running: "running", paused: "paused", complete: "complete" };

export class LiveView {
  /** @param {ParentNode} root  the document (or a part of it) holding the view's elements */
  constructor(root) {
    const find = (id) => root.querySelector(`#${id}`);
    this.el = {
      state: find("run-state"),
      progress: find("progress"),
      step: find("stat-step"),
      total: find("stat-total"),
      cycle: find("stat-cycle"),
      temperature: find("stat-temperature"),
      acceptance: find("stat-acceptance"),
      accepted: find("stat-accepted"),
      rejected: find("stat-rejected"),
      invalid: find("stat-invalid"),
      counters: find("counters"),
      currentEnergy: find("stat-current"),
      bestEnergy: find("stat-best"),
      currentImage: find("current-svg"),
      bestImage: find("best-svg"),
      currentCaption: find("current-caption"),
      bestCaption: find("best-caption"),
      currentTitle: find("current-title"),
      bestTitle: find("best-title"),
      summary: find("summary"),
      summaryBest: find("summary-best"),
      summarySteps: find("summary-steps"),
      summaryTime: find("summary-time"),
      summaryRate: find("summary-rate"),
      summaryOptimum: find("summary-optimum"),
      message: find("run-message"),
      note: find("kind-note"),
    };
    this.problem = null;
    this.kinds = new Map();
    this.kindView = GENERIC_VIEW;
    this.extraCounters = [];
    this.bestSvg = null;
    this.latest = null;
  }

  /** Clears everything for a new session or a reset. */
  clear() {
    this.latest = null;
    this.bestSvg = null;
    for (const image of [this.el.currentImage, this.el.bestImage]) {
      image.removeAttribute("src");
      image.hidden = true;
    }
    this.el.currentCaption.textContent = "";
    this.el.bestCaption.textContent = "";
    this.el.summary.hidden = true;
    this.el.note.hidden = true;
    for (const key of ["step", "cycle", "temperature", "acceptance", "accepted", "rejected", "invalid", "currentEnergy", "bestEnergy"]) {
      this.el[key].textContent = "–";
    }
    for (const counter of this.extraCounters) counter.value.textContent = "–";
    this.el.step.textContent = "0";
    this.el.progress.value = 0;
  }

  /** Takes the kinds of GET /api/problems (each with its `view` description). */
  setKinds(problems) {
    this.kinds = new Map((problems || []).map((p) => [p.name, p.view || GENERIC_VIEW]));
    if (this.problem) this.setProblem(this.problem, NaN);
  }

  /** Sets the problem kind: the state's name, the extra counters and the captions. */
  setProblem(problem, totalSteps) {
    this.problem = problem;
    this.kindView = this.kinds.get(problem) || GENERIC_VIEW;
    const kindView = this.kindView;
    document.documentElement.dataset.problem = problem || "";
    const captions = kindView.captions;
    document.documentElement.dataset.captionRepeatsEnergy = String(captions?.current === "current_energy");
    const noun = kindView.state_noun || "state";
    this.el.currentTitle.textContent = `Current ${noun}`;
    this.el.bestTitle.textContent = `Best ${noun}`;
    for (const counter of this.extraCounters) counter.element.remove();
    this.extraCounters = (kindView.counters || []).map((counter) => {
      const element = document.createElement("div");
      element.dataset.kindCounter = counter.field;
      const term = document.createElement("dt");
      term.textContent = counter.label;
      // A named invalid kind (NAME_moves) is a part of the invalid count.
      if (/_moves$/.test(counter.field)) element.title = `Invalid steps of this kind; also counted under invalid`;
      const value = document.createElement("dd");
      value.id = `stat-${counter.field.replaceAll("_", "-")}`;
      value.textContent = "–";
      element.append(term, value);
      this.el.counters.append(element);
      return { field: counter.field, element, value };
    });
    if (Number.isFinite(totalSteps)) this.setTotal(totalSteps);
  }

  setTotal(totalSteps) {
    this.el.total.textContent = formatCount(totalSteps);
    this.el.progress.max = Math.max(totalSteps, 1);
  }

  /** Shows the session's state (idle, running, paused, complete) and an optional message. */
  setState(state, message = "") {
    this.el.state.textContent = STATE_LABELS[state] || state;
    this.el.state.dataset.state = state;
    this.el.message.textContent = message;
  }

  /** Applies one progress (or complete/resync) event. */
  update(p) {
    this.latest = p;
    const el = this.el;
    if (Number.isFinite(p.total_steps)) this.setTotal(p.total_steps);
    el.step.textContent = formatCount(p.step);
    el.progress.value = p.step;
    el.cycle.textContent = Number.isFinite(p.cycle)
      ? `${formatCount(p.cycle)}${Number.isFinite(p.num_cycles) ? ` of ${formatCount(p.num_cycles)}` : ""}`
      : "–";
    el.temperature.textContent = formatValue(p.temperature);
    el.acceptance.textContent = formatPercent(p.acceptance_rate);
    el.accepted.textContent = formatCount(p.accepted_moves);
    el.rejected.textContent = formatCount(p.rejected_moves);
    el.invalid.textContent = formatCount(p.invalid_moves);
    // A kind's own counters may be counts (a cut) or fractions (magnetisation per
    // spin): formatValue keeps whole numbers whole and gives a fraction its decimals.
    for (const counter of this.extraCounters) {
      const value = p[counter.field];
      // A counter the instance has no value for (a cut on a plain lattice) is not shown.
      counter.element.hidden = value === undefined || value === null;
      if (!counter.element.hidden) counter.value.textContent = typeof value === "number" ? formatValue(value) : String(value);
    }
    // A kind's remark about this problem (e.g. a formula with only one structure).
    el.note.textContent = p.note || "";
    el.note.hidden = !p.note;
    el.currentEnergy.textContent = formatValue(p.current_energy);
    el.bestEnergy.textContent = formatValue(p.best_energy);
    this.showDrawings(p);
    const captions = this.kindView.captions;
    if (captions) {
      const caption = (value) => `${captions.prefix || ""}${typeof value === "number" ? formatValue(value) : value || ""}`;
      if (p[captions.current] !== undefined) el.currentCaption.textContent = caption(p[captions.current]);
      if (p[captions.best] !== undefined) el.bestCaption.textContent = caption(p[captions.best]);
    }
  }

  /** Shows the drawings an event carries (the server sends each one once per viewer). */
  showDrawings(p) {
    const what = this.kindView.state_noun || "state";
    if (p.current_svg) showSvg(this.el.currentImage, p.current_svg, `current ${what}`);
    if (p.best_svg) {
      this.bestSvg = p.best_svg;
      showSvg(this.el.bestImage, p.best_svg, `best ${what}`);
    }
  }

  /** Shows the summary of a finished run. */
  showSummary(p) {
    const el = this.el;
    el.summary.hidden = false;
    el.summaryBest.textContent = formatValue(p.best_energy);
    el.summarySteps.textContent = formatCount(p.step);
    el.summaryTime.textContent = Number.isFinite(p.elapsed_ms) ? formatDuration(p.elapsed_ms) : "–";
    el.summaryRate.textContent =
      Number.isFinite(p.elapsed_ms) && p.elapsed_ms > 0 ? formatCount((p.step * 1000) / p.elapsed_ms) : "–";
    const optimum = p.optimal_energy;
    el.summaryOptimum.parentElement.hidden = !Number.isFinite(optimum);
    if (Number.isFinite(optimum) && optimum !== 0) {
      const gap = ((p.best_energy - optimum) / Math.abs(optimum)) * 100;
      el.summaryOptimum.textContent = `${formatValue(optimum)} (best is ${gap.toFixed(2)}% away)`;
    } else if (Number.isFinite(optimum)) {
      el.summaryOptimum.textContent = formatValue(optimum);
    }
  }
}

/** The view of a kind the catalog does not describe: no extra counters or captions. */
const GENERIC_VIEW = { state_noun: "state", counters: [], captions: null };

function showSvg(image, svg, alt) {
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  image.alt = alt;
  image.hidden = false;
}
