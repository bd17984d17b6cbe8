// The Experiment view: "/experiments" builds an experiment (a grid of parameter sets x
// seeds, docs/experiments.md) and runs it; "/experiments/{id}" watches one. Both show the
// tasks finishing live and, per parameter set, a strip plot of the final energies (one
// point per task: the best-energy distribution) and the success rate against the known
// optimum; at the end, the p(s) curves and time to solution (experiment_tts.js) and a
// CSV download of the tasks. Parameters are shown by their labels from the catalog.
//
// The base parameters come from the same generated form as a session's (form.js, built
// from GET /api/problems); the grid is one varied parameter of that form with a list of
// values. The page sends the form's steps per cycle and cycles explicitly, so each task
// runs exactly the steps shown before Run ("Steps per task"), not a headless default.
// The watch link is the server's `watch_url`, an address phones on the network can
// open. Each finished task links to its replay record (GET
// /api/experiments/{id}/tasks/{task}/record), the run it was, ready for `kiln replay`.
// The stream is the browser's EventSource, which resumes with Last-Event-ID by itself.

import { ParameterForm } from "./form.js";
import { fetchProblems } from "./api.js";
import { drawSuccessCurves } from "./experiment_tts.js";
import { teacherKey } from "./teacher.js";

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
    this.labels = new Map();
    this.stepsPerTask = [];
    root.replaceChildren();
    const back = element("nav", { class: "exp-back" });
    back.append(element("a", { href: "/", id: "exp-back-link" }, "← Back to the classroom page"));
    root.append(back);
    this.back = back;
    this.results = element("section", { class: "panel exp-results", hidden: "" });
    this.results.innerHTML = `
      <h2>Experiment <span id="exp-state" class="exp-state">–</span></h2>
      <p><span id="exp-count">0</span> of <span id="exp-total">–</span> tasks finished;
        steps per task: <span id="exp-steps-run">–</span></p>
      <p class="exp-watch">Watch link: <a id="exp-watch-link" target="_blank" rel="noopener"></a>
        · <a id="exp-csv" download>Download the tasks as CSV</a></p>
      <div id="exp-plot" class="exp-plot" role="img" aria-label="Final energy of each task, per parameter set"></div>
      <div id="exp-tts" class="exp-plot exp-tts" role="img" aria-label="Chance of reaching the optimum within s steps, per parameter set" hidden></div>
      <table id="exp-groups" class="exp-groups"><thead><tr><th>parameter set</th><th>tasks</th>
        <th>min</th><th>median</th><th>max</th><th>reached the optimum</th><th>median steps to optimum</th>
        <th>steps per task</th><th>least TTS99 (steps)</th></tr></thead>
        <tbody></tbody></table>
      <details class="exp-task-list"><summary>Tasks (the owner downloads each as its replay record)</summary>
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
      <p class="exp-steps">Steps per task: <strong id="exp-steps-planned">–</strong></p>
      <button type="submit" class="primary">Run experiment</button>
      <p id="exp-error" class="form-error" role="alert" hidden></p>`;
    this.back.after(setup);
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
        this.showPlannedSteps($("exp-steps-planned"), varyName.value);
        if ([...varyName.options].map((o) => o.value).join() === ["", ...names].join()) return;
        const current = varyName.value;
        varyName.replaceChildren(option("", "(nothing: one parameter set)"), ...names.map((n) => option(n, this.labelOf(n))));
        varyName.value = names.includes(current) ? current : names.includes("schedule") ? "schedule" : "";
      },
    );
    const catalog = await fetchProblems();
    this.learnLabels(catalog);
    this.form.setCatalog(catalog);
    const planned = () => this.showPlannedSteps($("exp-steps-planned"), varyName.value);
    setup.addEventListener("input", planned);
    setup.addEventListener("change", planned);
    planned();
    setup.addEventListener("submit", (event) => {
      event.preventDefault();
      this.create(varyName.value, $("exp-vary-values").value, $("exp-seeds").value, $("exp-error"));
    });
  }

  /** Parameter labels of every kind in the catalog (GET /api/problems), by name. */
  learnLabels(catalog) {
    for (const problem of catalog?.problems || []) {
      for (const p of problem.parameters || []) if (p.label && !this.labels.has(p.name)) this.labels.set(p.name, p.label);
    }
  }

  labelOf(name) {
    return this.labels.get(name) || name.replaceAll("_", " ");
  }

  /** The form's steps per cycle and cycles, as numbers (null if not valid). */
  lengthFields() {
    const read = (name) => {
      const result = this.form?.fields.get(name)?.read();
      return result && !result.error && Number.isFinite(result.value) ? result.value : this.form?.fields.get(name)?.parameter.default;
    };
    return { perCycle: read("steps_per_cycle"), cycles: read("num_cycles") };
  }

  /** "Steps per task" before Run: steps per cycle x cycles, as the page will send them. */
  showPlannedSteps(target, varied) {
    if (!target || !this.form?.fields) return;
    const { perCycle, cycles } = this.lengthFields();
    if (varied === "steps_per_cycle" || varied === "num_cycles") {
      target.textContent = "depends on the parameter set (steps per cycle x cycles)";
    } else if (Number.isFinite(perCycle) && Number.isFinite(cycles)) {
      target.textContent = `${(perCycle * cycles).toLocaleString("en")} (${perCycle.toLocaleString("en")} x ${cycles} cycles)`;
    } else {
      target.textContent = "–";
    }
    target.dataset.steps = Number.isFinite(perCycle * cycles) ? String(perCycle * cycles) : "";
  }

  async create(varyName, varyText, seedsText, errorLine) {
    errorLine.hidden = true;
    const base = this.form.values();
    if (!base) return;
    // The run's length as the form shows it, not the kind's headless default.
    const { perCycle, cycles } = this.lengthFields();
    if (Number.isFinite(perCycle)) base.steps_per_cycle = perCycle;
    if (Number.isFinite(cycles)) base.num_cycles = cycles;
    const vary = {};
    if (varyName) {
      const values = varyText.split(",").map((t) => t.trim()).filter((t) => t !== "").map(typed);
      if (values.length === 0) return showError(errorLine, `Vary ${varyName}: list at least one value.`);
      delete base[varyName];
      vary[varyName] = values;
    }
    const plan = { base, vary, seeds: Number(seedsText) };
    const key = teacherKey();
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
    this.stepsPerTask = answer.steps_per_task || [];
    // A task's record re-runs it on the server: only the token's holder may ask.
    this.token = answer.control_token;
    this.attach(answer.experiment_id, answer.groups, answer.total_tasks, answer.watch_url);
  }

  async watch(id) {
    try {
      const response = await fetch(`/api/experiments/${encodeURIComponent(id)}`, { headers: { Accept: "application/json" } });
      const status = await response.json();
      if (!response.ok) throw new Error(status.error?.message || `answered ${response.status}`);
      this.learnLabels(await fetchProblems().catch(() => null));
      this.token = null;
      this.attach(id, status.groups, status.total_tasks, location.href);
    } catch (error) {
      this.results.hidden = false;
      this.setState("none", `This experiment cannot be shown: ${error.message}`);
    }
  }

  /** Shows experiment `id` and follows its stream from the first event. */
  attach(id, groups, total, watchUrl) {
    this.source?.close();
    this.id = id;
    this.groups = groups;
    this.results.hidden = false;
    this.results.querySelector("#exp-total").textContent = String(total);
    const link = this.results.querySelector("#exp-watch-link");
    link.href = watchUrl || `${location.origin}/experiments/${encodeURIComponent(id)}`;
    link.textContent = link.href;
    const csv = this.results.querySelector("#exp-csv");
    csv.href = `/api/experiments/${encodeURIComponent(id)}/tasks.csv`;
    csv.setAttribute("download", `experiment-${id}.csv`);
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
    const what = record.status === "success" ? `best ${record.best_energy}` : `error: ${record.error?.message ?? ""}`;
    const line = `task ${record.task_id}: ${group ? this.label(group) : ""}, seed ${record.seed}, ${what}`;
    if (this.token) {
      const href = `/api/experiments/${encodeURIComponent(this.id)}/tasks/${record.task_id}/record`;
      const a = element("a", { href, class: "exp-task", "data-task": String(record.task_id) }, line);
      a.addEventListener("click", (event) => {
        event.preventDefault();
        this.download(href, a);
      });
      item.append(a);
    } else {
      item.textContent = line;
    }
    this.results.querySelector("#exp-tasks").append(item);
    this.draw();
  }

  /** Fetch a task's record with the control token and save it as a file. */
  async download(href, link) {
    try {
      const response = await fetch(href, { headers: { Authorization: `Bearer ${this.token}` } });
      if (!response.ok) {
        const answer = await response.json().catch(() => ({}));
        throw new Error(answer.error?.message || `answered ${response.status}`);
      }
      const url = URL.createObjectURL(await response.blob());
      const save = element("a", { href: url, download: `kiln-task-${link.dataset.task}-replay.json` });
      save.click();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (error) {
      link.title = `The record could not be fetched: ${error.message}`;
    }
  }

  /** A parameter set by its parameters' labels: "Schedule: faulon". */
  label(group) {
    const entries = Object.entries(group.params || {});
    return entries.length ? entries.map(([k, v]) => `${this.labelOf(k)}: ${v}`).join(", ") : "all tasks";
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
      svg.append(text(PLOT.left - 8, y + 4, this.label(group), "end"));
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
      const rate = judged.length ? judged.filter((r) => r.reached_optimum === true).length / judged.length : null;
      svg.append(text(PLOT.width - 4, y + 4, rate === null ? "no optimum" : `${Math.round(rate * 100)}% reached`, "end", "exp-rate"));
      return { group, mine, rate };
    });
    this.results.querySelector("#exp-plot").replaceChildren(svg);
    const ran = [...new Set(ok.map((r) => r.steps))];
    this.results.querySelector("#exp-steps-run").textContent =
      ran.length === 1 ? format(ran[0]) : ran.length ? "varies by parameter set (see the table)" : "–";
    drawSuccessCurves(this.results.querySelector("#exp-tts"), this.summary?.groups || [], (g) => this.label(g));
    const final = new Map((this.summary?.groups || []).map((g) => [g.group, g]));
    const body = this.results.querySelector("#exp-groups tbody");
    body.replaceChildren(
      ...rows.map(({ group, mine, rate }) => {
        const g = final.get(group.group);
        const sorted = mine.map((r) => r.best_energy).sort((a, b) => a - b);
        const spread = g?.best_energy ?? (sorted.length ? { min: sorted[0], median: median(sorted), max: sorted.at(-1) } : null);
        const successRate = g ? g.success_rate : rate;
        const tts = g?.time_to_solution;
        const ran = [...new Set(mine.map((r) => r.steps))];
        const steps = ran.length === 1 ? ran[0] : this.stepsPerTask[group.group];
        const cells = [
          this.label(group),
          String(g ? g.tasks : mine.length),
          spread ? format(spread.min) : "–",
          spread ? format(spread.median) : "–",
          spread ? format(spread.max) : "–",
          successRate === null || successRate === undefined ? "–" : `${Math.round(successRate * 100)}%`,
          g?.median_steps_to_optimum != null ? format(g.median_steps_to_optimum) : "–",
          Number.isFinite(steps) ? format(steps) : "–",
          tts?.min_tts99 != null ? `${format(Math.round(tts.min_tts99))} (s = ${format(tts.min_tts99_steps)})` : "–",
        ];
        const tr = element("tr");
        for (const cell of cells) tr.append(element("td", {}, cell));
        return tr;
      }),
    );
  }
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
