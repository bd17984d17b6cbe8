// The owner's run controls: Start, Pause, Resume, Step 1, Step 10, Reset, and the keyboard
// shortcuts (space = start/pause/resume, s = step, r = reset).
//
// Which buttons are enabled follows the session's state machine (docs/protocol.md),
// so a click can never ask for a transition the server would refuse with 409.
// Shortcuts are ignored while typing in a field, and space is taken over even when a
// button has focus, so the key always means start/pause (Enter still presses buttons).
//
// `LivePacing` sends the owner's speed (steps per event, events per second) to the
// running session in place (POST /api/sa/{id}/pacing): no new session, no lost watcher.
// Typing fires an input event per keystroke; changes go out after a short pause, one
// request at a time, and the newest values win.

const ENABLED = {
  none: ["start", "step", "step1", "step10"],
  idle: ["start", "step", "step1", "step10", "reset"],
  running: ["pause", "reset"],
  paused: ["resume", "step", "step1", "step10", "reset"],
  complete: ["reset"],
};

export class Controls {
  /**
   * @param {HTMLElement} root  the element holding the buttons (data-action attributes)
   * @param {{start: Function, pause: Function, resume: Function, step: (n: number | "move") => Promise<void>, reset: Function}} actions
   */
  constructor(root, actions) {
    this.root = root;
    this.actions = actions;
    this.state = "none";
    this.busy = false;
    this.startsNewSession = false;
    this.buttons = new Map();
    for (const button of root.querySelectorAll("button[data-action]")) {
      this.buttons.set(button.dataset.action, button);
      button.addEventListener("click", () => this.run(button.dataset.action));
    }
    document.addEventListener("keydown", (event) => this.onKey(event));
    this.render();
  }

  /** Updates the buttons for a session state (none, idle, running, paused, complete). */
  setState(state, { startsNewSession = false } = {}) {
    this.state = ENABLED[state] ? state : "none";
    this.startsNewSession = startsNewSession;
    this.render();
  }

  async run(action) {
    if (this.busy || !this.enabled().includes(action)) return;
    this.busy = true;
    this.render();
    try {
      // "step": on to the next move tried on a valid structure; "step1": one draw, valid or not.
      if (action === "step") await this.actions.step("move");
      else if (action === "step1") await this.actions.step(1);
      else if (action === "step10") await this.actions.step(10);
      else await this.actions[action]();
    } finally {
      this.busy = false;
      this.render();
    }
  }

  enabled() {
    const enabled = [...ENABLED[this.state]];
    // Changed parameters make Start configure a fresh session in the same room, even
    // during a run (which it stops) or after a finished one.
    if (this.startsNewSession && !enabled.includes("start")) enabled.push("start");
    return enabled;
  }

  render() {
    const enabled = this.enabled();
    for (const [action, button] of this.buttons) button.disabled = this.busy || !enabled.includes(action);
    this.root.dataset.state = this.state;
  }

  onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    const target = event.target;
    if (target instanceof HTMLElement && target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.key === " ") {
      event.preventDefault();
      const toggle = this.state === "running" ? "pause" : this.state === "paused" ? "resume" : "start";
      this.run(toggle);
    } else if (event.key === "s" || event.key === "S") {
      this.run("step1");
    } else if (event.key === "r" || event.key === "R") {
      this.run("reset");
    }
  }
}

/** Pause after the last speed keystroke before the change is sent. */
const SETTLE_MS = 250;

export class LivePacing {
  /**
   * @param {(values: object) => Promise<void>} send  applies values to the current session
   */
  constructor(send) {
    this.send = send;
    this.pending = null;
    this.timer = null;
    this.sending = false;
  }

  /** Asks for these values; they are sent once the fields settle. */
  change(values) {
    this.pending = values;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), SETTLE_MS);
  }

  async flush() {
    if (this.sending || this.pending === null) return;
    const values = this.pending;
    this.pending = null;
    this.sending = true;
    try {
      await this.send(values);
    } finally {
      this.sending = false;
      if (this.pending !== null) this.flush();
    }
  }
}
