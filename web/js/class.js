// The class experiment (issue 24; docs/protocol.md, "Class experiment"): the teacher
// presses "Class experiment" with the current settings (and optionally a second value
// of one parameter to compare); every phone in the room gets its own run, one per
// setting, one after the other, with its own seed, and watches it as "your run"; the
// projector shows the ensemble live: each phone's best so far as a point on a strip
// per setting, how many reached the known optimum, the best structure and who found
// it, and after Finish the distribution of best energies per setting side by side.
//
// Underneath it is an experiment (its page, p(s) and CSV at /experiments/{id}).
// Both sides follow /api/rooms/{code}/class/stream (`class` events carry the whole
// ensemble). The phone keeps its phone token in localStorage, so a reload gets the
// same run; the teacher's page finds the room's class experiment again on reload.

import * as api from "./api.js";

const PHONE_KEY = "kiln.class.phone";
/** The finished class experiment the teacher closed (its results no longer shown). */
const CLOSED_KEY = "kiln.class.closed";
const SVG = "http://www.w3.org/2000/svg";

/** POST /api/rooms/{code}/class with the room token. */
function startClass(code, token, params, compare) {
  return api.request("POST", `/api/rooms/${encodeURIComponent(code)}/class`, { body: { params, compare }, token });
}

/** POST /api/rooms/{code}/class/join: this phone's run now. */
function joinClass(code, phoneToken, name) {
  const body = {};
  if (phoneToken) body.phone_token = phoneToken;
  if (name !== undefined) body.name = name;
  return api.request("POST", `/api/rooms/${encodeURIComponent(code)}/class/join`, { body });
}

/** POST /api/rooms/{code}/class/finish with the room token. */
function finishClass(code, token) {
  return api.request("POST", `/api/rooms/${encodeURIComponent(code)}/class/finish`, { token });
}

function classStream(code) {
  return new EventSource(`/api/rooms/${encodeURIComponent(code)}/class/stream`);
}

/** "steps_per_cycle 250" for a setting's varied parameters ("the settings" for none). */
export function settingLabel(params) {
  const entries = Object.entries(params ?? {});
  return entries.length ? entries.map(([k, v]) => `${k.replaceAll("_", " ")} ${v}`).join(", ") : "the teacher's settings";
}

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * A phone in room `code`: while the room runs a class experiment, it joins (once per
 * setting) and calls `onTask(task)` with the run to watch; `panel` shows "Your run".
 * Answers {active()}: whether the phone is in a class experiment (then the room's
 * own runs are not followed).
 */
export function followClass(code, panel, { onTask }) {
  let current = null;
  let experiment = null;
  let joining = false;
  let over = false;
  const stored = () => {
    try {
      const s = JSON.parse(localStorage.getItem(PHONE_KEY));
      return s && s.experiment_id === experiment ? s : null;
    } catch {
      return null;
    }
  };
  const who = panel.querySelector(".class-phone-who");
  const setting = panel.querySelector(".class-phone-setting");
  const nameForm = panel.querySelector(".class-name");
  const nameInput = nameForm.querySelector("input");
  const error = panel.querySelector(".class-phone-error");
  const say = (text) => {
    error.textContent = text;
    error.hidden = !text;
  };

  const join = async (name) => {
    if (joining) return;
    joining = true;
    try {
      const answer = await joinClass(code, stored()?.phone_token, name);
      localStorage.setItem(PHONE_KEY, JSON.stringify({ experiment_id: experiment, phone_token: answer.phone_token }));
      say("");
      who.textContent = answer.name;
      panel.dataset.phone = answer.phone;
      if (document.activeElement !== nameInput) nameInput.value = answer.name.startsWith("phone ") ? "" : answer.name;
      if (!answer.task) {
        current = { done: true };
        setting.textContent = "You ran every setting. Watch the projector for the whole class.";
        return;
      }
      const task = answer.task;
      panel.dataset.seed = task.seed;
      panel.dataset.group = task.group;
      panel.dataset.session = task.session_id;
      panel.dataset.task = task.task_id;
      setting.textContent =
        `Run ${task.run} of ${task.groups}: ${settingLabel(task.params)}, seed ${task.seed}. ` +
        "Same settings as everyone, your own seed.";
      if (current?.task_id !== task.task_id) {
        current = task;
        onTask(task);
      }
    } catch (e) {
      say(e.message);
    } finally {
      joining = false;
    }
  };

  nameForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (experiment && !over) join(nameInput.value);
  });

  const apply = (data) => {
    if (data.state === "none") return;
    if (data.experiment_id !== experiment) {
      experiment = data.experiment_id;
      current = null;
    }
    panel.hidden = false;
    over = data.state === "complete";
    panel.dataset.state = data.state;
    if (over) {
      nameForm.hidden = true;
      if (current) setting.textContent = "The class experiment is over: the projector shows how everyone did.";
      else setting.textContent = "The class experiment is over.";
      return;
    }
    nameForm.hidden = false;
    const mine = current && !current.done ? data.tasks.find((t) => t.task_id === current.task_id) : null;
    if (!current || (mine && mine.complete)) join();
  };
  const source = classStream(code);
  source.addEventListener("class", (event) => apply(JSON.parse(event.data)));
  return { active: () => experiment !== null && !over };
}

/**
 * The teacher's class-experiment panel (the projector's ensemble view).
 * `params()` answers the current settings (the configure body) or null;
 * `catalog()` the problem list, for the parameters one may compare.
 */
export class ClassPanel {
  constructor(panel, { params, catalog }) {
    this.panel = panel;
    this.params = params;
    this.catalog = catalog;
    this.room = null;
    this.source = null;
    this.data = null;
    this.compareName = panel.querySelector(".class-compare-name");
    this.compareValue = panel.querySelector(".class-compare-value");
    this.error = panel.querySelector(".class-error");
    panel.querySelector(".class-start").addEventListener("click", () => this.start());
    panel.querySelector(".class-finish").addEventListener("click", () => this.finish());
    panel.querySelector(".class-close").addEventListener("click", () => {
      if (this.data?.experiment_id) localStorage.setItem(CLOSED_KEY, this.data.experiment_id);
      this.show(this.data);
    });
    this.compareName.addEventListener("focus", () => this.refreshFields());
  }

  /**
   * The room the panel belongs to ({code, token}): shows its class experiment, and
   * follows it while it runs. The stream is open only then: a browser holds few
   * connections per server, and every tab of the teacher also follows the room.
   */
  async open(room) {
    this.room = room;
    this.data = null;
    this.panel.hidden = false;
    this.refreshFields();
    this.source?.close();
    this.source = null;
    try {
      this.show(await api.request("GET", `/api/rooms/${encodeURIComponent(room.code)}/class`));
    } catch (e) {
      this.say(e.message);
    }
  }

  /** Follows the class stream while the experiment runs. */
  follow() {
    if (this.source || !this.room) return;
    this.source = classStream(this.room.code);
    this.source.addEventListener("class", (event) => this.show(JSON.parse(event.data)));
  }

  /** The compare list: the current kind's numeric parameters that change a run. */
  refreshFields() {
    const body = this.params({ quiet: true });
    const kind = this.catalog()?.problems?.find((p) => p.name === body?.problem);
    const chosen = this.compareName.value;
    const names = (kind?.parameters ?? [])
      .filter((p) => ["integer", "number"].includes(p.type) && p.group !== "pacing" && p.name !== "seed")
      .map((p) => [p.name, p.label || p.name]);
    this.compareName.replaceChildren(new Option("nothing (one setting)", ""));
    for (const [name, label] of names) this.compareName.add(new Option(label, name));
    if (names.some(([name]) => name === chosen)) this.compareName.value = chosen;
  }

  say(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
  }

  async start() {
    if (!this.room) return;
    const params = this.params();
    if (!params) return;
    let compare = null;
    if (this.compareName.value) {
      const typed = this.compareValue.value.trim();
      const number = Number(typed);
      if (typed === "" || !Number.isFinite(number)) {
        this.say(`Second value '${typed}': type a number for ${this.compareName.selectedOptions[0].textContent}.`);
        this.compareValue.focus();
        return;
      }
      compare = { name: this.compareName.value, value: number };
    }
    try {
      this.say("");
      this.show(await startClass(this.room.code, this.room.token, params, compare));
    } catch (e) {
      this.say(e.message);
    }
  }

  async finish() {
    if (!this.room) return;
    try {
      this.show(await finishClass(this.room.code, this.room.token));
    } catch (e) {
      this.say(e.message);
    }
  }

  /** Draws the ensemble (a `class` event, or an answer of the API). */
  show(data) {
    if (this.data && data.experiment_id === this.data.experiment_id && data.version < this.data.version) return;
    this.data = data;
    const live = this.panel.querySelector(".class-live");
    this.panel.dataset.state = data.state;
    if (data.state === "running") this.follow();
    else {
      this.source?.close();
      this.source = null;
    }
    const closed = data.state === "complete" && localStorage.getItem(CLOSED_KEY) === data.experiment_id;
    // In projector mode the ensemble takes the place of the drawings and the chart.
    document.documentElement.classList.toggle("class-on", data.state !== "none" && !closed);
    if (data.state === "none" || closed) {
      live.hidden = true;
      return;
    }
    live.hidden = false;
    this.panel.querySelector(".class-close").hidden = data.state !== "complete";
    this.panel.querySelector(".class-finish").hidden = data.state !== "running";
    const done = data.tasks.filter((t) => t.complete).length;
    const optimum = data.optimum === null || data.optimum === undefined ? "" : ` Known optimum ${data.optimum}.`;
    this.panel.querySelector(".class-status").textContent =
      `${data.state === "complete" ? "Finished" : "Running"}: ${data.phones} phones (at most ${data.max_phones}), ` +
      `${done} of ${data.tasks.length} runs complete.${optimum}`;
    const link = this.panel.querySelector(".class-experiment-link");
    link.href = data.experiment_url;
    this.drawStrips(data);
    this.drawBest(data);
    this.drawDistribution(data);
  }

  drawStrips(data) {
    const holder = this.panel.querySelector(".class-strips");
    holder.replaceChildren();
    const energies = data.tasks.map((t) => t.best_energy).filter((e) => e !== null && e !== undefined);
    if (data.optimum !== null && data.optimum !== undefined) energies.push(data.optimum);
    let lo = Math.min(...energies);
    let hi = Math.max(...energies);
    if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
    if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
    const width = 600;
    const x = (e) => 20 + ((e - lo) / (hi - lo)) * (width - 40);
    for (const setting of data.settings) {
      const row = element("div", "class-setting");
      row.dataset.group = setting.group;
      const head = element("p", "class-setting-head");
      head.append(element("strong", null, `Setting ${setting.group + 1}: ${settingLabel(setting.params)}. `));
      const success = element("span", "class-success", String(setting.reached));
      success.dataset.group = setting.group;
      head.append(success, ` of ${setting.runs} runs reached the optimum`);
      row.append(head);
      const svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("viewBox", `0 0 ${width} 44`);
      svg.setAttribute("class", "class-strip");
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", `Best energy of each phone's run, setting ${setting.group + 1}`);
      const axis = document.createElementNS(SVG, "line");
      for (const [k, v] of Object.entries({ x1: 20, x2: width - 20, y1: 22, y2: 22, class: "class-axis" })) axis.setAttribute(k, v);
      svg.append(axis);
      if (data.optimum !== null && data.optimum !== undefined) {
        const mark = document.createElementNS(SVG, "line");
        const at = x(data.optimum);
        for (const [k, v] of Object.entries({ x1: at, x2: at, y1: 4, y2: 40, class: "class-optimum" })) mark.setAttribute(k, v);
        svg.append(mark);
      }
      const mine = data.tasks.filter((t) => t.group === setting.group && t.best_energy !== null);
      mine.forEach((t, i) => {
        const dot = document.createElementNS(SVG, "circle");
        dot.setAttribute("cx", x(t.best_energy));
        dot.setAttribute("cy", 22 + ((i % 5) - 2) * 6);
        dot.setAttribute("r", 5);
        const kind = t.reached_optimum ? "reached" : t.left ? "left" : t.complete ? "done" : "running";
        dot.setAttribute("class", `class-point ${kind}`);
        dot.dataset.group = t.group;
        dot.dataset.phone = t.phone;
        const title = document.createElementNS(SVG, "title");
        title.textContent = `${t.name}: ${t.best_energy}${t.left ? " (left)" : t.complete ? "" : ` (step ${t.step} of ${t.total_steps})`}`;
        dot.append(title);
        svg.append(dot);
      });
      const scale = element("p", "class-scale", `${lo} … ${hi}`);
      row.append(svg, scale);
      holder.append(row);
    }
  }

  drawBest(data) {
    const best = this.panel.querySelector(".class-best");
    const text = best.querySelector(".class-best-text");
    const drawing = best.querySelector(".class-best-svg");
    if (!data.best) {
      best.hidden = true;
      return;
    }
    best.hidden = false;
    text.textContent = `Best so far: ${data.best.energy}, found by ${data.best.name} (setting ${data.best.group + 1}).`;
    drawing.innerHTML = data.best.svg ?? "";
  }

  drawDistribution(data) {
    const holder = this.panel.querySelector(".class-dist");
    holder.replaceChildren();
    const groups = data.summary?.groups ?? [];
    holder.hidden = data.state !== "complete";
    if (holder.hidden) return;
    const most = Math.max(1, ...groups.flatMap((g) => g.best_energy_counts.map(([, n]) => n)));
    for (const setting of data.settings) {
      const g = groups.find((s) => s.group === setting.group);
      const column = element("figure", "class-dist-setting");
      column.dataset.group = setting.group;
      column.append(element("figcaption", null, `Setting ${setting.group + 1}: ${settingLabel(setting.params)}`));
      const summary = g
        ? `${g.reached_count} of ${g.judged_count} reached the optimum` +
          (g.success_rate === null ? "" : ` (${Math.round(g.success_rate * 100)} %)`)
        : "no completed runs";
      const line = element("p", "class-dist-summary", summary);
      line.dataset.reached = g ? g.reached_count : 0;
      column.append(line);
      for (const [energy, count] of g?.best_energy_counts ?? []) {
        const bar = element("div", "class-bar");
        const fill = element("span", "class-bar-fill");
        fill.style.width = `${(count / most) * 100}%`;
        bar.append(element("span", "class-bar-label", String(energy)), fill, element("span", "class-bar-count", String(count)));
        column.append(bar);
      }
      holder.append(column);
    }
  }
}
