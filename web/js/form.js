// The parameter form, built from GET /api/problems: a problem picker, its presets, and one
// field per parameter (typed input, bounds, help text, an error line under it).
//
// The form validates what it can before asking the server (types, bounds, required
// shapes) and shows the server's 400 message under the field the server names. It sends
// only values that differ from the defaults: the server fills in the rest, and mutually
// exclusive inputs never collide with a default. A parameter the catalog marks
// `replaced_by` other parameters (a bundled instance, replaced by uploaded cities) is
// greyed out and not sent while any of those is given. Nothing here names a kind.
//
// Form truth: a field the chosen schedule ignores (k outside Faulon's schedule, the
// final temperature under Faulon's or a constant one) says "(not used)"; the step
// total a run will take is shown under the schedule; engine knobs that never change
// a result (batch) sit in an Advanced section; a required text field left empty is
// an error under it rather than a silent default; a text field (a TSPLIB file) can be
// filled from a chosen or dropped file; and a server error quotes the field's label,
// not its wire name.
//
// The numbers the run will use (issue 22, D7) come from the server: a kind's default
// steps depend on the instance and a live session is held to its step limit, so after
// each change the form asks `preview` (POST /api/sa/preview) and states the run's own
// schedule and step total (`data-total-steps` on the note), with a warning for a run
// that takes minutes. A preset sets every field but the seed and the speed; editing a
// field afterwards clears the preset's name, since the values are no longer the preset's.

/** Parameters that tune the engine without changing the result: the Advanced section. */
const ADVANCED = new Set(["batch", "threads"]);
/** Which schedules use a parameter (the others ignore it). */
const USED_BY_SCHEDULE = {
  cooling_schedule_k: ["faulon"],
  final_temp: ["geometric", "linear"],
  initial_temp: ["faulon", "geometric", "linear", "constant"],
};
/** Fields a preset leaves as they are: the seed and the speed are the teacher's, not the preset's. */
const KEPT_BY_PRESETS = new Set(["seed", "steps_per_event", "max_events_per_sec"]);
/** Pause after the last keystroke before the run's numbers are asked for. */
const PREVIEW_SETTLE_MS = 250;
/** A run expected to take longer than this (seconds) is announced with its duration. */
const LONG_RUN_SECONDS = 120;
/** Largest file a text field accepts (the server's request limit is 1 MiB). */
const MAX_FILE_BYTES = 1_000_000;
//
// Some fields change a running session in place (the speed: steps per event, events per
// second). Changing one of those calls `onLiveChange` instead of making the form
// "dirty": only the other fields make Start configure a new session.

export class ParameterForm {
  /**
   * @param {{picker: HTMLElement, presets: HTMLSelectElement, groups: Record<string, HTMLElement>, general: HTMLElement}} elements
   * @param {() => void} onChange  called whenever a value changes
   * @param {{live?: string[], onLiveChange?: (name: string) => void, preview?: (body: object) => Promise<object>}} [options]
   *   fields a running session takes as they change, and who applies them; `preview`
   *   answers the numbers a body would run with (POST /api/sa/preview)
   */
  constructor(elements, onChange, { live = [], onLiveChange = () => {}, preview = null } = {}) {
    this.elements = elements;
    this.preview = preview;
    this.previewTimer = null;
    this.applying = false;
    this.onChange = onChange;
    this.live = new Set(live);
    this.onLiveChange = onLiveChange;
    this.problems = [];
    this.problem = null;
    this.fields = new Map();
    /** The values the session was configured with, apart from live fields (null: none). */
    this.clean = null;
    elements.presets.addEventListener("change", () => {
      if (elements.presets.value) this.applyPreset(elements.presets.value);
    });
  }

  /** Takes the problem catalogue and shows the first problem (or `initial`). */
  setCatalog(catalog, initial) {
    this.problems = catalog.problems;
    const picker = this.elements.picker;
    picker.replaceChildren();
    for (const problem of this.problems) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "problem";
      input.value = problem.name;
      input.id = `problem-${problem.name}`;
      input.addEventListener("change", () => this.selectProblem(problem.name));
      label.append(input, document.createTextNode(problem.label || problem.name));
      picker.append(label);
    }
    this.selectProblem(initial && this.find(initial) ? initial : this.problems[0].name);
  }

  /** Switches to a problem kind and rebuilds the fields with its defaults. */
  selectProblem(name) {
    this.problem = this.find(name);
    document.getElementById(`problem-${name}`).checked = true;
    const presets = this.elements.presets;
    presets.replaceChildren(option("", "Choose a preset…"));
    for (const preset of this.problem.presets || []) presets.append(option(preset.name, preset.label || preset.name));
    presets.value = "";
    for (const group of Object.values(this.elements.groups)) group.replaceChildren();
    this.fields.clear();
    for (const parameter of this.problem.parameters) {
      const field = new Field(parameter, () => this.changed(parameter.name));
      this.fields.set(parameter.name, field);
      const group =
        (ADVANCED.has(parameter.name) && this.elements.groups.advanced) ||
        this.elements.groups[parameter.group] ||
        this.elements.groups.schedule;
      group.append(field.element);
    }
    this.clearErrors();
    this.changed();
  }

  /** Resets every field to its default, then applies the preset's values. */
  applyPreset(name) {
    const preset = (this.problem.presets || []).find((p) => p.name === name);
    if (!preset) return;
    this.applying = true;
    for (const [key, field] of this.fields) if (!KEPT_BY_PRESETS.has(key)) field.set(field.parameter.default);
    for (const [key, value] of Object.entries(preset.params || {})) this.fields.get(key)?.set(value);
    this.applying = false;
    this.elements.presets.value = name;
    this.clearErrors();
    this.changed();
  }

  /**
   * Shows the settings of an existing session (the owner's page reloaded): the
   * configure body it was made from over the defaults, and its pacing in force.
   */
  showSession(params, pacing) {
    for (const field of this.fields.values()) field.set(field.parameter.default);
    for (const [name, value] of Object.entries({ ...params, ...pacing })) {
      if (name !== "problem") this.fields.get(name)?.set(value);
    }
    this.elements.presets.value = "";
    this.clearErrors();
    this.changed();
  }

  /** Sets one field's value (used by tests of the page and by presets). */
  set(name, value) {
    this.fields.get(name)?.set(value);
    this.changed();
  }

  /** The configure body, or null (with the errors shown) if a field is invalid. */
  values({ quiet = false } = {}) {
    if (!quiet) this.clearErrors();
    const body = { problem: this.problem.name };
    let valid = true;
    for (const [name, field] of this.fields) {
      const result = field.read();
      const label = field.parameter.label || name;
      const required = field.parameter.type === "string" && typeof field.parameter.default === "string" && field.parameter.default !== "";
      if (result.error) {
        if (!quiet) field.showError(result.error);
        valid = false;
      } else if (this.isReplaced(name)) {
        continue;
      } else if (required && result.value === undefined) {
        if (!quiet) field.showError(`${label} is empty: type one, for example ${field.parameter.default}.`);
        valid = false;
      } else if (result.value !== undefined && !sameValue(result.value, field.parameter.default)) {
        body[name] = result.value;
      }
    }
    return valid ? body : null;
  }

  /** Shows an API error next to the field it names (or above the controls). */
  showServerError(error) {
    const name = error.field ? String(error.field).split(/[.[]/)[0] : null;
    const field = name ? this.fields.get(name) : null;
    if (field) {
      field.showError(this.withLabels(error.message));
      field.focus();
    } else {
      this.elements.general.textContent = this.withLabels(error.message);
      this.elements.general.hidden = false;
    }
  }

  /** A server message with parameter names replaced by the labels the form shows. */
  withLabels(message) {
    let text = String(message);
    for (const [name, field] of this.fields) {
      // "component_weights.logp" (one weight of a parameter) reads "the logP (Crippen) weight".
      for (const [value, words] of Object.entries(field.parameter.value_labels || {})) {
        text = text.replaceAll(`${name}.${value}`, `the ${words} weight`).replaceAll(`"${value}"`, `"${words}"`);
      }
      const label = field.parameter.label;
      if (label && name.includes("_")) text = text.replaceAll(name, label);
    }
    return text.replace(/^the /, "The ");
  }

  /** The values the run will use, as one line: schedule, temperatures and the step total. */
  summary() {
    const read = (name) => {
      const field = this.fields.get(name);
      if (!field) return undefined;
      const result = field.read();
      return result.error ? undefined : result.value ?? field.parameter.default;
    };
    const steps = read("steps_per_cycle");
    const cycles = read("num_cycles");
    const schedule = read("schedule");
    if (!Number.isFinite(steps) || !Number.isFinite(cycles)) return "";
    const parts = [];
    if (schedule) parts.push(`${schedule} schedule`);
    const t0 = read("initial_temp");
    const t1 = read("final_temp");
    if (schedule === "auto") parts.push("T0 and T1 estimated from the problem when the run is built");
    else if (Number.isFinite(t0)) {
      const end = schedule === "geometric" || schedule === "linear"
        ? ` to ${Number.isFinite(t1) ? t1 : t0 / 1000}`
        : schedule === "faulon"
          ? `, k ${read("cooling_schedule_k")}`
          : "";
      parts.push(`T0 ${t0}${end}`);
    }
    parts.push(`${cycles} × ${steps.toLocaleString("en-US")} = ${(cycles * steps).toLocaleString("en-US")} steps`);
    return parts.join(" · ");
  }

  /** Shows what a configured session really uses (the configure answer's config). */
  showResolved(config, totalSteps) {
    if (!this.elements.resolved || !config) return;
    this.elements.resolved.textContent = `This session uses: ${describeConfig(config, totalSteps)}`;
    this.elements.resolved.dataset.totalSteps = String(totalSteps);
  }

  /** Asks, once the fields settle, for the numbers the form's values would run with. */
  schedulePreview() {
    const note = this.elements.resolved;
    if (!this.preview || !note) return;
    clearTimeout(this.previewTimer);
    note.dataset.pending = "true";
    delete note.dataset.totalSteps;
    this.previewTimer = setTimeout(async () => {
      const body = this.values({ quiet: true });
      const key = this.configuredKey();
      if (!body) {
        delete note.dataset.pending;
        return;
      }
      let answer;
      try {
        answer = await this.preview(body);
      } catch {
        // The error shows when Start sends the same values; the local summary stays.
        if (key === this.configuredKey()) delete note.dataset.pending;
        return;
      }
      if (key !== this.configuredKey()) return;
      let text = `This run: ${describeConfig(answer.config, answer.total_steps)}`;
      const seconds = answer.expected_seconds;
      if (Number.isFinite(seconds) && seconds > LONG_RUN_SECONDS) {
        text += ` · a long run: about ${Math.round(seconds / 60)} minutes at full speed`;
      }
      note.textContent = text;
      note.classList.toggle("warn", Number.isFinite(seconds) && seconds > LONG_RUN_SECONDS);
      note.dataset.totalSteps = String(answer.total_steps);
      delete note.dataset.pending;
    }, PREVIEW_SETTLE_MS);
  }

  clearErrors() {
    for (const field of this.fields.values()) field.showError("");
    this.elements.general.textContent = "";
    this.elements.general.hidden = true;
  }

  /** Marks the current values as the ones the session was configured with. */
  markClean() {
    this.clean = this.configuredKey();
  }

  /** True when Start would configure a session other than the current one. */
  get dirty() {
    return this.clean === null || this.configuredKey() !== this.clean;
  }

  /** The live fields' values that read without error, defaults for empty ones. */
  liveValues() {
    const values = {};
    for (const name of this.live) {
      const field = this.fields.get(name);
      if (!field) continue;
      const result = field.read();
      if (result.error) continue;
      values[name] = result.value === undefined ? field.parameter.default : result.value;
    }
    return values;
  }

  /** Every field but the live ones, as text to compare (no errors shown). */
  configuredKey() {
    const entries = [["problem", this.problem?.name]];
    for (const [name, field] of this.fields) {
      if (this.live.has(name)) continue;
      const result = field.read();
      entries.push([name, result.error ? `error:${result.error}` : result.value]);
    }
    return JSON.stringify(entries);
  }

  changed(name) {
    if (name !== undefined && this.live.has(name)) this.onLiveChange(name);
    // An edit after a preset: the values are no longer the preset's.
    if (name !== undefined && !this.applying && !this.live.has(name)) this.elements.presets.value = "";
    const schedule = this.fields.get("schedule")?.read().value ?? this.fields.get("schedule")?.parameter.default;
    for (const [name, users] of Object.entries(USED_BY_SCHEDULE)) {
      const field = this.fields.get(name);
      if (field) field.element.classList.toggle("unused", Boolean(schedule) && !users.includes(schedule));
    }
    if (this.elements.resolved) this.elements.resolved.textContent = this.summary() ? `This run: ${this.summary()}` : "";
    if (name === undefined || !this.live.has(name)) this.schedulePreview();
    for (const [name, field] of this.fields) {
      if (!(field.parameter.replaced_by || []).length) continue;
      const replaced = this.isReplaced(name);
      field.element.classList.toggle("replaced", replaced);
      field.setDisabled(replaced);
    }
    this.onChange();
  }

  /** True if another field's value replaces this one (its `replaced_by` list). */
  isReplaced(name) {
    return (this.fields.get(name)?.parameter.replaced_by || []).some((other) => {
      const field = this.fields.get(other);
      return field !== undefined && !field.read().error && field.read().value !== undefined;
    });
  }

  find(name) {
    return this.problems.find((p) => p.name === name);
  }
}

/** A config as one line: schedule, temperatures, and cycles × steps = the total. */
function describeConfig(config, totalSteps) {
  const parts = [`${config.schedule} schedule`];
  const t1 = config.final_temp;
  if (config.schedule === "faulon") parts.push(`T0 ${round(config.initial_temp)}, k ${config.k}`);
  else if (config.schedule === "constant") parts.push(`T ${round(config.initial_temp)}`);
  // The config's T0 is only the unused default: auto's temperatures come from the problem.
  else if (config.schedule === "auto") parts.push("T0 and T1 estimated from the problem");
  else parts.push(`T0 ${round(config.initial_temp)} to ${round(t1 ?? config.initial_temp / 1000)}`);
  const count = (n) => Number(n).toLocaleString("en-US");
  parts.push(`${config.cycles} × ${count(config.steps_per_cycle)} = ${count(totalSteps)} steps`);
  return parts.join(" · ");
}

/** One parameter's input, its label, help text and error line. */
class Field {
  constructor(parameter, onChange) {
    this.parameter = parameter;
    const id = `param-${parameter.name}`;
    const wrapper = document.createElement("div");
    wrapper.className = `field field-${parameter.type}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = parameter.label || parameter.name;
    this.error = document.createElement("p");
    this.error.className = "field-error";
    this.error.id = `${id}-error`;
    this.error.setAttribute("role", "alert");
    this.control = buildControl(parameter, id);
    this.control.addEventListener("input", () => {
      const result = this.read();
      this.showError(result.error || "");
      onChange();
    });
    this.control.addEventListener("change", onChange);
    wrapper.append(label, this.control.element || this.control);
    if (parameter.help) {
      const help = document.createElement("p");
      help.className = "field-help";
      help.textContent = parameter.help;
      wrapper.append(help);
    }
    wrapper.append(this.error);
    this.element = wrapper;
    this.set(parameter.default);
  }

  set(value) {
    this.control.setValue(value);
    this.showError("");
  }

  read() {
    return this.control.read();
  }

  showError(message) {
    this.error.textContent = message;
    this.element.classList.toggle("invalid", Boolean(message));
    this.control.setInvalid(Boolean(message), this.error.id);
  }

  focus() {
    this.control.focus();
  }

  setDisabled(disabled) {
    this.control.setDisabled(disabled);
  }
}

/** Builds the input for a parameter type; every control offers setValue, read, setInvalid, focus. */
function buildControl(parameter, id) {
  switch (parameter.type) {
    case "enum":
      return enumControl(parameter, id);
    case "weights":
      return weightsControl(parameter, id);
    case "text":
      return textControl(parameter, id, document.createElement("textarea"));
    default:
      return textControl(parameter, id, document.createElement("input"));
  }
}

function textControl(parameter, id, input) {
  input.id = id;
  input.name = parameter.name;
  input.autocomplete = "off";
  input.spellcheck = false;
  let choices = null;
  if (input.tagName === "INPUT") {
    const numeric = parameter.type === "number" || parameter.type === "integer";
    input.type = "text";
    if (numeric) input.inputMode = parameter.type === "integer" ? "numeric" : "decimal";
    if (parameter.type === "count_or_word") {
      input.placeholder = `${wordChoices(parameter).join(" or ")} or a number`;
      choices = document.createElement("datalist");
      choices.id = `${id}-choices`;
      for (const value of wordChoices(parameter)) choices.append(option(value, value));
      input.setAttribute("list", choices.id);
    }
  } else {
    input.rows = 4;
    choices = fileControl(parameter, input);
  }
  const control = {
    element: choices ? fragment(input, choices) : input,
    addEventListener: (type, listener) => input.addEventListener(type, listener),
    setValue: (value) => {
      input.value = value === null || value === undefined ? "" : String(value);
    },
    read: () => parseScalar(parameter, input.value),
    setInvalid: (invalid, errorId) => {
      input.setAttribute("aria-invalid", String(invalid));
      input.setAttribute("aria-describedby", errorId);
    },
    focus: () => input.focus(),
    setDisabled: (disabled) => {
      input.disabled = disabled;
    },
  };
  return control;
}

/** A file chooser for a text field, and dropping a file on the field: its text fills it. */
function fileControl(parameter, input) {
  const chooser = document.createElement("input");
  chooser.type = "file";
  chooser.className = "file-choose";
  chooser.setAttribute("aria-label", `${parameter.label || parameter.name} from a file`);
  const load = async (file) => {
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      input.value = "";
      input.setCustomValidity("");
      input.dispatchEvent(new Event("input"));
      input.closest(".field")?.querySelector(".field-error")?.replaceChildren(
        `${file.name} is ${file.size.toLocaleString("en-US")} bytes; ${parameter.label || parameter.name} takes at most ${MAX_FILE_BYTES.toLocaleString("en-US")}.`,
      );
      return;
    }
    input.value = await file.text();
    input.dispatchEvent(new Event("input"));
    input.dispatchEvent(new Event("change"));
  };
  chooser.addEventListener("change", () => load(chooser.files[0]));
  input.addEventListener("dragover", (event) => {
    event.preventDefault();
    input.classList.add("drop-target");
  });
  input.addEventListener("dragleave", () => input.classList.remove("drop-target"));
  input.addEventListener("drop", (event) => {
    event.preventDefault();
    input.classList.remove("drop-target");
    load(event.dataTransfer?.files?.[0]);
  });
  input.placeholder = "Paste the file, drop it here, or choose it below";
  return chooser;
}

function round(value) {
  return Number.isFinite(value) ? Number(value.toPrecision(4)) : value;
}

function enumControl(parameter, id) {
  const select = document.createElement("select");
  select.id = id;
  select.name = parameter.name;
  if (parameter.default === null || parameter.default === undefined) select.append(option("", "—"));
  for (const value of parameter.values || []) select.append(option(String(value), parameter.value_labels?.[value] || readable(String(value))));
  return {
    element: select,
    addEventListener: (type, listener) => select.addEventListener(type, listener),
    setValue: (value) => {
      select.value = value === null || value === undefined ? "" : String(value);
    },
    read: () => ({ value: select.value === "" ? undefined : select.value }),
    setInvalid: (invalid, errorId) => {
      select.setAttribute("aria-invalid", String(invalid));
      select.setAttribute("aria-describedby", errorId);
    },
    focus: () => select.focus(),
    setDisabled: (disabled) => {
      select.disabled = disabled;
    },
  };
}

function weightsControl(parameter, id) {
  const box = document.createElement("div");
  box.className = "weights";
  box.id = id;
  const inputs = new Map();
  for (const name of parameter.values || []) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "text";
    input.inputMode = "decimal";
    input.id = `${id}-${name}`;
    input.placeholder = "0";
    label.append(document.createTextNode(valueLabel(parameter, name)), input);
    box.append(label);
    inputs.set(name, input);
  }
  return {
    element: box,
    addEventListener: (type, listener) => box.addEventListener(type, listener),
    setValue: (value) => {
      for (const [name, input] of inputs) input.value = value && value[name] !== undefined ? String(value[name]) : "";
    },
    read: () => {
      const weights = {};
      for (const [name, input] of inputs) {
        const text = input.value.trim();
        if (text === "") continue;
        const number = Number(text);
        if (!Number.isFinite(number)) return { error: `The weight of ${valueLabel(parameter, name)} must be a number, not "${text}".` };
        if (number !== 0) weights[name] = number;
      }
      if (Object.keys(weights).length === 0) return { error: "Give at least one component a non-zero weight." };
      return { value: weights };
    },
    setInvalid: (invalid, errorId) => {
      for (const input of inputs.values()) {
        input.setAttribute("aria-invalid", String(invalid));
        input.setAttribute("aria-describedby", errorId);
      }
    },
    focus: () => inputs.values().next().value?.focus(),
    setDisabled: (disabled) => {
      for (const input of inputs.values()) input.disabled = disabled;
    },
  };
}

/** Parses a scalar field's text: {value} (undefined when empty) or {error}. */
function parseScalar(parameter, raw) {
  const text = raw.trim();
  if (text === "") return { value: undefined };
  const label = parameter.label || parameter.name;
  switch (parameter.type) {
    case "number":
      return parseNumber(parameter, text, label, false);
    case "integer":
      return parseNumber(parameter, text, label, true);
    case "count_or_word":
      if (wordChoices(parameter).includes(text)) return { value: text };
      return parseNumber(parameter, text, label, true, `${wordChoices(parameter).join(" or ")} or `);
    default:
      return { value: parameter.type === "text" ? raw : text };
  }
}

/** The words a count field accepts besides a number ("auto", "max"). */
function wordChoices(parameter) {
  return parameter.values || [];
}

function parseNumber(parameter, text, label, integer, alternatives = "") {
  const number = Number(text);
  const kind = integer ? "a whole number" : "a number";
  if (!Number.isFinite(number) || (integer && !Number.isInteger(number))) {
    return { error: `${label} must be ${alternatives}${kind}, not "${text}".` };
  }
  const { min, max } = parameter;
  if (min !== undefined && min !== null) {
    if (parameter.exclusive_min && number <= min) return { error: `${label} must be greater than ${min}.` };
    if (!parameter.exclusive_min && number < min) return { error: `${label} must be at least ${min}.` };
  }
  if (max !== undefined && max !== null && number > max) return { error: `${label} must be at most ${max}.` };
  return { value: number };
}

function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A choice as a person reads it: a wire name in capitals (MINIMIZE) in plain words (minimize). */
function readable(value) {
  return /^[A-Z_]+$/.test(value) ? value.toLowerCase().replaceAll("_", " ") : value;
}

/** The words the page shows for one name of an enum or weights parameter. */
function valueLabel(parameter, name) {
  return parameter.value_labels?.[name] || name.replaceAll("_", " ");
}

function option(value, label) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = label;
  return element;
}

function fragment(...nodes) {
  const result = document.createDocumentFragment();
  result.append(...nodes);
  return result;
}
