// The page's entry point: decides between the owner's page ("/"), the watch-only page
// ("/watch/{id}"), a room's page ("/r/CODE", watch-only, following whatever the room's
// teacher runs next; "/r" alone asks for the code) and the experiment view
// ("/experiments"), wires the modules together and routes stream events to them.
//
// The teacher's page belongs to the teacher's room (room.js): opening "/" in any tab
// rejoins the room and takes control of the run it shows (the room's owner view
// carries the run's control token), and a run started in another tab is taken up
// here too. The run's form values are kept in localStorage beside it, so every tab
// shows the settings of the run. The control token never goes into a URL, and the
// watch link carries only the session id.

import * as api from "./api.js";
import { Chart } from "./chart.js";
import { Controls, LivePacing } from "./controls.js";
import { Downloads } from "./downloads.js";
import { ParameterForm } from "./form.js";
import { ConnectionIndicator } from "./indicator.js";
import { SharePanel } from "./share.js";
import { Connection, StreamConnection } from "./stream.js";
import { TeachPanel } from "./teach.js";
import { EnergyTrace } from "./trace.js";
import { LiveView } from "./view.js";
import { LadderView } from "./ladder.js";
import { OwnedRoom, followRoom, showJoinBox } from "./room.js";
import { ClassPanel, followClass } from "./class.js";
import { clearGone, showGone } from "./gone.js";
import { showKey } from "./key.js";

const STORAGE_KEY = "kiln.session";
const $ = (id) => document.getElementById(id);

const watchMatch = location.pathname.match(/^\/watch\/([^/]+)\/?$/);
// "/experiments" and "/experiments/{id}": the Experiment view (experiment.js) instead of a session.
const experimentMatch = location.pathname.match(/^\/experiments(?:\/([^/]+))?\/?$/);
// "/r" (the room-code box) and "/r/CODE" (a room's page).
const roomMatch = location.pathname.match(/^\/r(?:\/([^/]+))?\/?$/);
const mode = experimentMatch ? "experiment" : watchMatch || roomMatch ? "watch" : "owner";
document.documentElement.dataset.mode = mode;

const trace = new EnergyTrace(2000);
const chart = new Chart($("chart"), trace);
chart.setReadout($("chart-readout"));
chart.setLegend(document.querySelector(".chart-card .legend"));
const view = new LiveView(document);
const teach = new TeachPanel($("teach"), $("current-svg").parentElement);
const ladder = new LadderView($("ladder"));
const indicator = new ConnectionIndicator($("connection"));
const share = new SharePanel($("share"));
const ownedRoom = new OwnedRoom($("room"));
/** Resolves once the teacher's room exists (or could not be made). */
let roomReady = Promise.resolve();
const downloads = new Downloads($("downloads"), {
  bestSvg: () => view.bestSvg,
  csv: () => trace.toCsv(),
  sessionId: () => session?.id ?? null,
});

/** The session this page shows: {id, token (owner only), problem}. */
let session = null;
let stream = null;
let state = "none";
let run = null;
let form = null;
let controls = null;
const eventCounts = new Map();
/** Sends the owner's speed changes to the current session (docs/protocol.md, pacing). */
const livePacing = new LivePacing(async (values) => {
  if (!session?.token) return;
  try {
    await api.setPacing(session.id, session.token, values);
  } catch (error) {
    form.showServerError(error);
  }
});

setupProjectorToggle();
if (experimentMatch) {
  const id = experimentMatch[1] ? decodeURIComponent(experimentMatch[1]) : null;
  import("./experiment.js").then((m) => m.startExperimentView($("experiment"), id));
} else if (roomMatch) startFollowingRoom(roomMatch[1] ? decodeURIComponent(roomMatch[1]) : null);
else if (mode === "watch") startWatching(decodeURIComponent(watchMatch[1]));
else startOwning();

// A small window onto the page for the browser tests (and curious students): read-only,
// except dropStream, which simulates a dropped connection for debugging reconnects.
window.kiln = {
  chartSteps: () => trace.steps(),
  chartAxes: () => chart.axes,
  state: () => state,
  connection: () => stream?.status ?? Connection.NOT_CONNECTED,
  lastEventId: () => stream?.lastEventId ?? null,
  eventCount: (type) => eventCounts.get(type) ?? 0,
  dropStream: () => stream?.drop(),
  sessionId: () => session?.id ?? null,
  temperatureAxis: () => chart.temperatureDomain ?? null,
  scheduleAt: (step) => chart.scheduleAt(step),
  scheduleDrawn: () => chart.scheduleDrawn ?? null,
  csv: () => trace.toCsv(),
};

async function startWatching(sessionId) {
  for (const element of document.querySelectorAll("[data-owner-only]")) element.remove();
  // The kinds' view descriptions; without them the view still shows the shared numbers.
  api.fetchProblems().then((catalog) => view.setKinds(catalog.problems), () => {});
  try {
    const status = await api.fetchStatus(sessionId);
    attach({ id: sessionId, token: null, problem: status.problem ?? null });
  } catch (error) {
    // A stale or mistyped link: say so once instead of retrying a stream that cannot exist.
    indicator.show(Connection.FAILED, error.message);
    const gone = "This run no longer exists: it finished long ago or its server was restarted without keeping runs. Ask for the room code on the projector and type it at /r.";
    view.setState("none", error.status === 404 || error.status === 400 ? gone : error.message);
  }
}

/** A room's page: watch whatever session the room shows, switching when it changes. */
function startFollowingRoom(code) {
  for (const element of document.querySelectorAll("[data-owner-only]")) element.remove();
  if (code === null) {
    view.setState("none", "Type the room code shown on the projector.");
    showJoinBox($("join"));
    return;
  }
  api.fetchProblems().then((catalog) => view.setKinds(catalog.problems), () => {});
  // A class experiment gives this phone its own run; meanwhile the teacher's runs wait.
  const classRun = followClass(code, $("class-phone"), {
    onTask: (task) => attach({ id: task.session_id, token: null, problem: task.problem }),
  });
  followRoom(code, {
    onSession: (next) => {
      if (!classRun.active()) attach({ id: next.id, token: null, problem: next.problem });
    },
    onWaiting: (message) => view.setState("none", message),
    onMissing: (message) => {
      indicator.show(Connection.FAILED, message);
      view.setState("none", message);
      showJoinBox($("join"), message);
    },
  });
}

/** Points the teacher's room at a session, once the room exists; a failure only costs the room link. */
async function showInRoom(sessionId) {
  await roomReady;
  try {
    await ownedRoom.show(sessionId);
  } catch (error) {
    form.showServerError(error);
  }
}

async function startOwning() {
  form = new ParameterForm(
    {
      picker: $("problem-picker"),
      presets: $("preset"),
      groups: {
        problem: $("group-problem"),
        schedule: $("group-schedule"),
        pacing: $("group-pacing"),
        advanced: $("group-advanced"),
      },
      general: $("form-error"),
      resolved: $("resolved"),
    },
    () => refreshControls(),
    {
      live: ["steps_per_event", "max_events_per_sec"],
      onLiveChange: () => changePacing(),
      preview: (body) => api.preview(body),
    },
  );
  controls = new Controls($("controls"), { start, pause, resume, step, reset });
  $("setup").addEventListener("submit", (event) => {
    event.preventDefault();
    configureSession();
  });
  let catalog;
  try {
    catalog = await api.fetchProblems();
  } catch (error) {
    view.setState("none", `Could not load the problem list: ${error.message}`);
    return;
  }
  const opened = ownedRoom.open().catch((error) => {
    form.showServerError(error);
    return null;
  });
  roomReady = opened;
  const stored = readStoredSession();
  view.setKinds(catalog.problems);
  form.setCatalog(catalog, stored?.problem);
  const room = await opened;
  const classPanel = new ClassPanel($("class"), { params: (options) => form.values(options), catalog: () => catalog });
  if (room) classPanel.open({ code: ownedRoom.code, token: ownedRoom.token });
  const current = room?.session_id ? fromRoom(room, stored) : stored;
  if (current) await restore(current);
  ownedRoom.follow((next) => {
    if (next.session_id && next.session_id !== session?.id) restore(fromRoom(next, readStoredSession()));
  });
  $("new-room").addEventListener("click", () =>
    newRoom().then(() => classPanel.open({ code: ownedRoom.code, token: ownedRoom.token })),
  );
  refreshControls();
}

/** The run a room shows, as this page keeps a session (with the form values if this browser made it). */
function fromRoom(room, stored) {
  if (!room.control_token) return null;
  const id = room.session_id;
  const known = stored?.id === id ? stored : {};
  return {
    params: null,
    ...known,
    id,
    token: room.control_token,
    problem: room.problem ?? known.problem ?? null,
    watchUrl: known.watchUrl ?? `/watch/${id}`,
    qrUrl: known.qrUrl ?? `/api/sa/${id}/watch-qr.svg`,
    shareHint: known.shareHint ?? null,
  };
}

/** "New room": the teacher asks for another code; the run here goes on, the next one is shown there. */
async function newRoom() {
  try {
    roomReady = ownedRoom.renew();
    await roomReady;
  } catch (error) {
    form.showServerError(error);
  }
}

/** Reattaches to the session this tab owned before a reload, if it still exists. */
async function restore(stored) {
  try {
    const status = await api.fetchStatus(stored.id);
    if (stored.params) form.showSession(stored.params, status.pacing ?? {});
    attach(stored);
    view.setProblem(status.problem || stored.problem, NaN);
    share.show(stored.watchUrl);
    showInRoom(stored.id);
    form.markClean();
    setState(status.state || "idle");
  } catch {
    if (readStoredSession()?.id === stored.id) localStorage.removeItem(STORAGE_KEY);
  }
}

/** Creates a session from the form; false (with the errors shown) if that failed. */
async function configureSession() {
  const body = form.values();
  if (!body) return false;
  // Changed settings during a run: the run this page leaves stops, so no class
  // follows a run nobody controls any more.
  if (session?.token && state === "running") {
    await api.control(session.id, session.token, "pause").catch(() => {});
  }
  let answer;
  try {
    answer = await api.configure(body);
  } catch (error) {
    form.showServerError(error);
    return false;
  }
  const configured = {
    id: answer.session_id,
    token: answer.control_token,
    problem: answer.problem || body.problem,
    watchUrl: answer.watch_url || `/watch/${answer.session_id}`,
    qrUrl: answer.qr_url || `/api/sa/${answer.session_id}/watch-qr.svg`,
    shareHint: answer.share_hint ?? null,
    // What the form sent, so a reloaded page shows the session's own settings.
    params: body,
  };
  localStorage.setItem(STORAGE_KEY, JSON.stringify(configured));
  form.markClean();
  form.showResolved(answer.config, answer.total_steps);
  attach(configured);
  view.setProblem(configured.problem, answer.total_steps);
  chart.setRun(answer.total_steps, null);
  chart.setSchedule(null);
  share.show(configured.watchUrl);
  await showInRoom(configured.id);
  setState(answer.state || "idle");
  return true;
}


/** The owner changed the speed: a session that exists takes it at once, running or not. */
function changePacing() {
  if (session?.token) livePacing.change(form.liveValues());
}

async function ensureSession() {
  if (session && !form.dirty) return true;
  return configureSession();
}

async function start() {
  if (!(await ensureSession())) return;
  await command(() => api.control(session.id, session.token, "start"));
}

async function pause() {
  await command(() => api.control(session.id, session.token, "pause"));
}

async function resume() {
  await command(() => api.control(session.id, session.token, "resume"));
}

async function step(n) {
  if (!(await ensureSession())) return;
  await command(() => api.step(session.id, session.token, n));
}

async function reset() {
  // A run in progress is work a class may want to keep: ask once before throwing it away.
  const inProgress = (state === "running" || state === "paused") && (trace.last()?.step ?? 0) > 0;
  if (inProgress && !window.confirm("Reset the run? Its progress so far is lost.")) return;
  const done = await command(() => api.control(session.id, session.token, "reset"));
  if (done) newRun();
}

/** Sends a control request; shows a refusal (409 and friends) without throwing. */
async function command(send) {
  form.clearErrors();
  try {
    const answer = await send();
    // A fast run can finish, and its stream say so, before the start answer arrives:
    // only a reset leaves "complete", so a late "running" is stale and changes nothing.
    if (answer.state === "running" && state === "complete") return true;
    setState(answer.state);
    // A finished run's stream has ended; a reset makes the session stream again.
    if (stream && stream.finished && answer.state !== "complete") stream.open();
    return true;
  } catch (error) {
    if (error.state) setState(error.state);
    form.showServerError(error);
    return false;
  }
}

/** Shows a session: clears the view and opens its stream. */
function attach(next) {
  stream?.close();
  clearGone($("run-message"));
  session = next;
  run = null;
  newRun();
  view.setProblem(next.problem, NaN);
  downloads.setSession(next.id);
  stream = new StreamConnection(next.id, { onEvent, onStatus: (status, detail) => onStatus(status, detail) });
  indicator.follow(stream);
  stream.open();
}

function newRun() {
  trace.clear();
  view.clear();
  teach.clear();
  ladder.clear();
  chart.redraw();
}

function onEvent(type, data) {
  eventCounts.set(type, (eventCounts.get(type) ?? 0) + 1);
  switch (type) {
    case "connected":
      if (data.problem) view.setProblem(data.problem, data.total_steps);
      chart.setRun(data.total_steps, data.progress?.optimal_energy ?? null);
      chart.setSchedule(data.schedule ?? null);
      setState(data.state);
      // The snapshot is the session's present. On a first connection it is the first
      // point; on a resumed one the missed events follow it, so only its drawings
      // (which the server will not send this client again) are taken.
      if (data.progress && stream.lastEventId === null) {
        applyProgress(data.progress);
        loadEarlierPoints();
      } else if (data.progress) {
        view.showDrawings(data.progress);
        if (data.progress.current_svg) teach.setDrawing(data.progress.current_svg);
        if (data.progress.current_svg) showKey($("drawing-key"), data.progress.current_svg);
      }
      break;
    case "progress":
    case "resync":
      applyProgress(data);
      break;
    case "waiting":
      // Only a reset brings a session back to idle after it has moved: a watcher
      // learns of the owner's reset here and clears the old run.
      if (data.session_state === "idle" && (trace.last()?.step ?? 0) > 0) newRun();
      setState(data.session_state, data.message || "");
      break;
    case "complete":
      applyProgress(data);
      setState("complete");
      view.showSummary({ ...view.latest, ...data });
      break;
    case "error":
      view.setState(state, data.message || "The server ended the stream.");
      break;
    case "shutdown":
      view.setState(state, "The server is shutting down.");
      break;
    default:
      break;
  }
}

/** A first connection starts at the session's present: fetch the run's points before it. */
async function loadEarlierPoints() {
  if ((trace.last()?.step ?? 0) === 0) return;
  const asked = session;
  try {
    const answer = await api.fetchTrace(asked.id, Math.floor(trace.limit / 2));
    if (session !== asked || (run !== null && answer.run !== run)) return;
    trace.prepend(answer.points);
    chart.redraw();
  } catch {
    // The chart then starts where this page joined, as before; the stream goes on.
  }
}

function applyProgress(p) {
  const last = trace.last();
  const newGeneration = p.run !== undefined && run !== null && p.run !== run;
  if (newGeneration || (last && p.step < last.step)) newRun();
  if (p.run !== undefined) run = p.run;
  const previous = trace.last();
  const moved = previous !== null && p.step > previous.step;
  // Progress events carry no state. The owner learns it from its control answers; a
  // watcher infers "running" from steps arriving, and `waiting` events (sent only while
  // idle or paused) correct it after a single step.
  if (p.is_complete) setState("complete");
  else if (mode === "watch" && moved && (state === "idle" || state === "paused")) setState("running");
  else if (state === "idle" && p.step > 0) setState("running");
  if (!previous || moved) {
    trace.add({
      step: p.step,
      current: p.current_energy,
      best: p.best_energy,
      temperature: p.temperature,
      acceptance: p.acceptance_rate,
    });
  }
  view.update(p);
  if (p.current_svg) teach.setDrawing(p.current_svg);
  if (p.current_svg) showKey($("drawing-key"), p.current_svg);
  teach.show(p.move);
  ladder.show(p.tempering, p.current_svg);
  chart.setRun(p.total_steps, p.optimal_energy);
  if (p.energy_label) chart.setEnergyLabel(p.energy_label);
  $("legend-optimum").hidden = !Number.isFinite(p.optimal_energy);
}

function onStatus(status, detail) {
  indicator.show(status, detail);
  if (status === Connection.FAILED && stream?.gone) return sessionGone();
  if (status === Connection.FAILED && detail) view.setState(state, `Connection failed: ${detail}.`);
  if (status === Connection.NOT_CONNECTED && stream?.finished) watchForReset();
}

/** After a finished run the stream is closed; notice when the owner resets, then stream again. */
function watchForReset() {
  const poll = setInterval(async () => {
    if (!stream || !stream.finished) {
      clearInterval(poll);
      return;
    }
    try {
      const status = await api.fetchStatus(session.id);
      if (status.state && status.state !== "complete" && stream.finished) {
        clearInterval(poll);
        newRun();
        setState(status.state);
        stream.open();
      }
    } catch (error) {
      if (error.status === 404) clearInterval(poll);
    }
  }, 3000);
}

/** The server no longer has this page's session: say so, and offer the one way on. */
function sessionGone() {
  const anchor = $("run-message");
  if (mode !== "owner") {
    const next = roomMatch ? " This page follows the teacher's next run." : "";
    view.setState("none", `This run is gone: the server no longer has it.${next}`);
    return;
  }
  localStorage.removeItem(STORAGE_KEY);
  session = null;
  view.setState("none", "This run is gone: the server no longer has it.");
  showGone(anchor, "", {
    label: "New run with the same settings",
    run: async () => {
      newRun();
      if (await configureSession()) await command(() => api.control(session.id, session.token, "start"));
    },
  });
  refreshControls();
}

function setState(next, message) {
  if (!next) return;
  state = next;
  view.setState(next, message === undefined ? "" : message);
  document.documentElement.dataset.state = next;
  // The step explanation is announced while stepping only, not at the run's event rate.
  $("teach").setAttribute("aria-live", next === "paused" ? "polite" : "off");
  refreshControls();
}

function refreshControls() {
  if (!controls) return;
  const dirty = form.dirty && session !== null;
  controls.setState(session ? state : "none", { startsNewSession: dirty });
  $("form-hint").hidden = !dirty;
}

function readStoredSession() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}

function setupProjectorToggle() {
  const button = $("projector");
  const apply = (on) => {
    document.documentElement.classList.toggle("projector", on);
    button.setAttribute("aria-pressed", String(on));
    localStorage.setItem("kiln.projector", on ? "1" : "0");
    chart.redraw();
  };
  apply(localStorage.getItem("kiln.projector") === "1");
  button.addEventListener("click", () => apply(!document.documentElement.classList.contains("projector")));
}
