// The Experiment view: "/experiments" builds an experiment (a grid of parameter sets x
// seeds, DESIGN.md section 9) and runs it; "/experiments/{id}" watches one. Both show the
// tasks finishing live and, per parameter set, a strip plot of the final energies (one
// point per task) and the success rate against the known optimum.
//
// The base parameters come from the same generated form as a session's (form.js, built
// from GET /api/problems); the grid is one varied parameter of that form with a list of
// values. Each finished task links to its replay record (GET
// /api/experiments/{id}/tasks/{task}/record), the run it was, ready for `kiln replay`.
// The stream is the browser's EventSource, which resumes with Last-Event-ID by itself.

import { ParameterForm } from "./form.js";
import { fetchProblems } from "./api.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const PLOT = { width: 640, row: 44, left: 170, right: 90, top: 24 };

/** Starts the view in `root`: the builder when `experimentId` is null, else the watcher. */
export async function startExperimentView(root, experimentId) {
  root.hidden = false;
  const view = new ExperimentView(root);
  if (experimentId) await view.watch(experimentId);
  else await view.build();
  window.kiln = { ...(window.kiln || {}), experiment: () => view.snapshot() };
}

class ExperimentView {
  constructor(root) {
    this.root = root;
    this.records = new Map();
    this.groups = [];
    this.summary = null;
    this.state = "none";
    this.source = null;
    root.replaceChildren();
    this.results = element("section", { class: "panel exp-results", hidden: "" });
    this.results.innerHTML = `
      <h2>Experiment <span id="exp-state" class="exp-state">–</span></h2>
      <p><span id="exp-count">0</span> of <span id="exp-total">–</span> tasks finished</p>
      <p class="exp-watch">Watch link: <a id="exp-watch-link" target="_blank" rel="noopener"></a></p>
      <div id="exp-plot" class="exp-plot" role="img" aria-label="Final energy of each task, per parameter set"></div>
      <table id="exp-groups" class="exp-groups"><thead><tr><th>parameter set</th><th>tasks</th>
        <th>min</th><th>median</th><th>max</th><th>success rate</th><th>median steps to optimum</th></tr></thead>
        <tbody></tbody></table>
      <details class="exp-task-list"><summary>Tasks (each opens as its replay record)</summary>
        <ol id="exp-tasks"></ol></details>`;
    root.append(this.results);
  }

  /** What the page shows, for tests. */
  snapshot() {
    return { state: this.state, finished: this.records.size, summary: this.summary };
  }

  async build() {
    const setup = element("form", { class: "panel exp-setup", novalidate: "" });
    setup.innerHTML = `
      <h2>New experiment</h2>
      <fieldset class="picker"><legend>Problem</legend><div id="exp-picker" class="segmented"></div></fieldset>
      <div class="field"><label for="exp-preset">Preset</label><select id="exp-preset"></select></div>
      <fieldset class="group"><legend>Base parameters</legend><div id="exp-group-problem" class="fields"></div></fieldset>
      <details class="group" open><summary>Schedule</summary><div id="exp-group-schedule" class="fields"></div></details>
      <div id="exp-group-pacing" hidden></div>
      <fieldset class="group"><legend>Grid and seeds</legend><div class="fields">
        <div class="field"><label for="exp-vary-name">Vary</label><select id="exp-vary-name"></select></div>
        <div class="field"><label for="exp-vary-values">Values (comma separated)</label>
          <input id="exp-vary-values" type="text" placeholder="faulon, geometric"></div>
        <div class="field"><label for="exp-seeds">Seeds per parameter set</label>
          <input id="exp-seeds" type="number" min="1" step="1" value="10"></div>
      </div></fieldset>
      <button type="submit" class="primary">Run experiment</button>
      <p id="exp-error" class="form-error" role="alert" hidden></p>`;
    this.root.prepend(setup);
    const $ = (id) => setup.querySelector(`#${id}`);
    const varyName = $("exp-vary-name");
    this.form = new ParameterForm(
      {
        picker: $("exp-picker"),
        presets: $("exp-preset"),
        groups: { problem: $("exp-group-problem"), schedule: $("exp-group-schedule"), pacing: $("exp-group-pacing") },
        general: $("exp-error"),
      },
      () => {
        const names = [...this.form.fields.values()]
          .filter((f) => f.parameter.group !== "pacing")
          .map((f) => f.parameter.name);
        if ([...varyName.options].map((o) => o.value).join() === ["", ...names].join()) return;
        const current = varyName.value;
        varyName.replaceChildren(option("", "(nothing: one parameter set)"), ...names.map((n) => option(n, n)));
        varyName.value = names.includes(current) ? current : names.includes("schedule") ? "schedule" : "";
      },
    );
    this.form.setCatalog(await fetchProblems());
    setup.addEventListener("submit", (event) => {
      event.preventDefault();
      this.create(varyName.value, $("exp-vary-values").value, $("exp-seeds").value, $("exp-error"));
    });
  }

  async create(varyName, varyText, seedsText, errorLine) {
    errorLine.hidden = true;
    const base = this.form.values();
    if (!base) return;
    const vary = {};
    if (varyName) {
      const values = varyText.split(",").map((t) => t.trim()).filter((t) => t !== "").map(typed);
      if (values.length === 0) return showError(errorLine, `Vary ${varyName}: list at least one value.`);
      delete base[varyName];
      vary[varyName] = values;
    }
    const plan = { base, vary, seeds: Number(seedsText) };
    const key = new URLSearchParams(location.search).get("key");
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (key) headers.Authorization = `Bearer ${key}`;
    let answer;
    try {
      const response = await fetch("/api/experiments", { method: "POST", headers, body: JSON.stringify(plan) });
      answer = await response.json();
      if (!response.ok) {
        const error = answer.error || {};
        const field = String(error.field || "");
        if (field.startsWith("base.")) this.form.showServerError({ field: field.slice(5), message: error.message });
        else showError(errorLine, field ? `${field}: ${error.message}` : error.message);
        return;
      }
    } catch (error) {
      return showError(errorLine, `The server could not be reached (${error.message}).`);
    }
    this.records.clear();
    this.summary = null;
    this.attach(answer.experiment_id, answer.groups, answer.total_tasks);
  }

  async watch(id) {
    try {
      const response = await fetch(`/api/experiments/${encodeURIComponent(id)}`, { headers: { Accept: "application/json" } });
      const status = await response.json();
      if (!response.ok) throw new Error(status.error?.message || `answered ${response.status}`);
      this.attach(id, status.groups, status.total_tasks);
    } catch (error) {
      this.results.hidden = false;
      this.setState("none", `This experiment cannot be shown: ${error.message}`);
    }
  }

  /** Shows experiment `id` and follows its stream from the first event. */
  attach(id, groups, total) {
    this.source?.close();
    this.id = id;
    this.groups = groups;
    this.results.hidden = false;
    this.results.querySelector("#exp-total").textContent = String(total);
    const link = this.results.querySelector("#exp-watch-link");
    link.href = `${location.origin}/experiments/${encodeURIComponent(id)}`;
    link.textContent = link.href;
    this.results.querySelector("#exp-tasks").replaceChildren();
    this.setState("running");
    this.draw();
    const source = new EventSource(`/api/experiments/${encodeURIComponent(id)}/stream`);
    this.source = source;
    const on = (name, handler) => source.addEventListener(name, (e) => handler(JSON.parse(e.data)));
    on("task_complete", (record) => this.finished(record));
    on("execution_complete", (summary) => {
      this.summary = summary;
      source.close();
      this.setState("complete");
      this.draw();
    });
    on("resync", (status) => {
      for (const record of status.tasks || []) this.finished(record);
      if (status.summary) {
        this.summary = status.summary;
        source.close();
        this.setState("complete");
      }
      this.draw();
    });
    source.addEventListener("error", (e) => {
      if (!e.data) return; // a dropped connection: EventSource reconnects with Last-Event-ID
      const data = JSON.parse(e.data);
      if (data.code === "experiment_ended") {
        source.close();
        this.setState("cancelled", data.message);
      }
    });
    on("shutdown", () => this.setState(this.state, "The server is shutting down."));
  }

  finished(record) {
    if (this.records.has(record.task_id)) return;
    this.records.set(record.task_id, record);
    this.results.querySelector("#exp-count").textContent = String(this.records.size);
    const group = this.groups[record.group];
    const item = element("li");
    const a = element("a", {
      href: `/api/experiments/${encodeURIComponent(this.id)}/tasks/${record.task_id}/record`,
      class: "exp-task",
      "data-task": String(record.task_id),
    });
    const what = record.status === "success" ? `best ${record.best_energy}` : `error: ${record.error?.message ?? ""}`;
    a.textContent = `task ${record.task_id}: ${group ? group.key : ""} seed ${record.seed}, ${what}`;
    item.append(a);
    this.results.querySelector("#exp-tasks").append(item);
    this.draw();
  }

  setState(state, message = "") {
    this.state = state;
    const label = this.results.querySelector("#exp-state");
    label.textContent = message ? `${state}: ${message}` : state;
    label.dataset.state = state;
  }

  /** The strip plot and the table, from the records so far (and the summary at the end). */
  draw() {
    const ok = [...this.records.values()].filter((r) => r.status === "success");
    const energies = ok.map((r) => r.best_energy);
    const optima = ok.map((r) => r.optimum).filter((o) => Number.isFinite(o));
    const lo = Math.min(...energies, ...optima);
    const hi = Math.max(...energies, ...optima);
    const span = hi > lo ? hi - lo : 1;
    const inner = PLOT.width - PLOT.left - PLOT.right;
    const x = (e) => PLOT.left + (Number.isFinite(lo) ? ((e - lo) / span) * inner : inner / 2);
    const height = PLOT.top + this.groups.length * PLOT.row + 8;
    const svg = svgElement("svg", { viewBox: `0 0 ${PLOT.width} ${height}`, class: "exp-svg" });
    if (Number.isFinite(lo)) {
      svg.append(text(PLOT.left, 14, format(lo), "start"), text(PLOT.left + inner, 14, format(hi), "end"));
    }
    const rows = this.groups.map((group, index) => {
      const y = PLOT.top + index * PLOT.row + PLOT.row / 2;
      svg.append(svgElement("line", { x1: PLOT.left, x2: PLOT.left + inner, y1: y, y2: y, class: "exp-axis" }));
      svg.append(text(PLOT.left - 8, y + 4, label(group), "end"));
      const mine = ok.filter((r) => r.group === group.group);
      const optimum = mine.find((r) => Number.isFinite(r.optimum))?.optimum;
      if (Number.isFinite(optimum)) {
        svg.append(svgElement("line", { x1: x(optimum), x2: x(optimum), y1: y - 16, y2: y + 16, class: "exp-optimum" }));
      }
      for (const r of mine) {
        // A fixed jitter per seed, so the owner and every watcher draw the same picture.
        const jitter = (((r.seed * 37) % 100) / 100 - 0.5) * 18;
        const point = svgElement("circle", {
          cx: x(r.best_energy).toFixed(2),
          cy: (y + jitter).toFixed(2),
          r: 4,
          class: r.reached_optimum ? "exp-point reached" : "exp-point",
          "data-task": r.task_id,
          "data-energy": r.best_energy,
        });
        const title = svgElement("title");
        title.textContent = `task ${r.task_id}, seed ${r.seed}: ${r.best_energy}`;
        point.append(title);
        svg.append(point);
      }
      const judged = mine.filter((r) => Number.isFinite(r.optimum));
      const rate = judged.length ? judged.filter((r) => r.reached_optimum).length / judged.length : null;
      svg.append(text(PLOT.width - 4, y + 4, rate === null ? "no optimum" : `${Math.round(rate * 100)}% reached`, "end", "exp-rate"));
      return { group, mine, rate };
    });
    this.results.querySelector("#exp-plot").replaceChildren(svg);
    const final = new Map((this.summary?.groups || []).map((g) => [g.group, g]));
    const body = this.results.querySelector("#exp-groups tbody");
    body.replaceChildren(
      ...rows.map(({ group, mine, rate }) => {
        const g = final.get(group.group);
        const sorted = mine.map((r) => r.best_energy).sort((a, b) => a - b);
        const spread = g?.best_energy ?? (sorted.length ? { min: sorted[0], median: median(sorted), max: sorted.at(-1) } : null);
        const successRate = g ? g.success_rate : rate;
        const cells = [
          label(group),
          String(g ? g.tasks : mine.length),
          spread ? format(spread.min) : "–",
          spread ? format(spread.median) : "–",
          spread ? format(spread.max) : "–",
          successRate === null || successRate === undefined ? "–" : `${Math.round(successRate * 100)}%`,
          g?.median_steps_to_optimum != null ? format(g.median_steps_to_optimum) : "–",
        ];
        const tr = element("tr");
        for (const cell of cells) tr.append(element("td", {}, cell));
        return tr;
      }),
    );
  }
}

function label(group) {
  const entries = Object.entries(group.params || {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(", ") : "all tasks";
}

function median(sorted) {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

function format(value) {
  return Number.isInteger(value) ? value.toLocaleString("en") : Number(value).toPrecision(6);
}

/** A typed grid value: a number, true/false, else the text. */
function typed(text) {
  if (text !== "" && Number.isFinite(Number(text))) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  return text;
}

function showError(line, message) {
  line.textContent = message;
  line.hidden = false;
}

function option(value, textContent) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = textContent;
  return o;
}

function element(tag, attributes = {}, textContent) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
  if (textContent !== undefined) e.textContent = textContent;
  return e;
}

function svgElement(tag, attributes = {}) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v));
  return e;
}

function text(x, y, content, anchor, className = "exp-label") {
  const t = svgElement("text", { x, y, "text-anchor": anchor, class: className });
  t.textContent = content;
  return t;
}
