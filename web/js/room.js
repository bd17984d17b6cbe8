// Rooms: the teacher's page owns a room with a short code (6 characters, no 0/O/1/I/L)
// shown big for the projector, and every session the teacher configures becomes the
// room's current one. The room's page, /r/CODE, follows it: the room stream sends
// `session_changed` and the page switches to the new run by itself.
//
// A student can also open /r and type the code into the join box (`showJoinBox`).
//
// The room belongs to the teacher, not to a tab (issue 22): its code and room token
// are kept in localStorage, so every tab of this browser, a reload and a browser
// restart land in the same room, and so does a restarted server (it keeps its rooms).
// On a server with a teacher key the key names the teacher too: a page holding the
// key (teacher.js) in another browser gets the key's room from the server. The room's
// owner view carries the control token of the run it shows, so any of the teacher's
// tabs controls the run in progress. "New room" is the one way to another code.
// The token never goes into a URL.

import * as api from "./api.js";
import { showShareHint } from "./share.js";

const STORAGE_KEY = "kiln.room";
/** A room code as a student may type it: 6 letters or digits, any case. */
export const CODE_PATTERN = /^[2-9A-HJKMNP-Za-hjkmnp-z]{6}$/;

/** The teacher's room: one per teacher, kept across tabs, reloads and restarts. */
export class OwnedRoom {
  /** @param {HTMLElement} element  holds .room-code, a.room-link, img.room-qr and button.new-room */
  constructor(element) {
    this.element = element;
    this.code = null;
    this.token = null;
    this.source = null;
    this.onSession = null;
  }

  /**
   * Rejoins the teacher's room if the server still has it, or gets the teacher's room
   * from the server. Answers the owner's view: {code, session_id, problem, control_token, ...}.
   */
  async open() {
    const stored = readStored();
    if (stored) {
      try {
        const room = await api.fetchOwnedRoom(stored.code, stored.token);
        this.use({ ...room, room_token: stored.token });
        return room;
      } catch (error) {
        if (![400, 403, 404].includes(error.status)) throw error;
        localStorage.removeItem(STORAGE_KEY);
      }
    }
    const room = await api.createRoom();
    this.use(room);
    return room;
  }

  /** A new room with a new code for this teacher (the "New room" button). */
  async renew() {
    const room = await api.createRoom({ fresh: true });
    this.use(room);
    return room;
  }

  /** Shows a room as the server describes it (code, room_token, room_url, join_url, qr_url, share_hint). */
  use(room) {
    this.code = room.code;
    this.token = room.room_token;
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ code: room.code, token: room.room_token }));
    const url = new URL(room.room_url ?? `/r/${room.code}`, location.href).href;
    for (const code of document.querySelectorAll(".room-code")) code.textContent = room.code;
    const link = this.element.querySelector(".room-link");
    link.href = url;
    link.textContent = url;
    this.element.querySelector(".room-join").textContent = new URL(room.join_url ?? "/r", location.href).href;
    const qr = this.element.querySelector(".room-qr");
    if (showShareHint(this.element, room.share_hint)) qr.removeAttribute("src");
    else qr.src = room.qr_url ?? `/api/rooms/${room.code}/qr.svg`;
    this.element.hidden = false;
    if (this.onSession) this.listen();
  }

  /** The room shows this session from now on (its watchers switch to it). */
  async show(sessionId) {
    if (!this.code) return;
    await api.setRoomSession(this.code, this.token, sessionId);
  }

  /**
   * Follows the room as its owner: `onSession(room)` with the owner's view whenever
   * the room shows another session (one started from another tab of the teacher).
   */
  follow(onSession) {
    this.onSession = onSession;
    this.listen();
  }

  listen() {
    const onSession = this.onSession;
    this.source?.close();
    const code = this.code;
    if (!code) return;
    this.source = new EventSource(`/api/rooms/${encodeURIComponent(code)}/stream`);
    const changed = async (event) => {
      const data = JSON.parse(event.data);
      if (!data.session_id || code !== this.code) return;
      try {
        onSession(await api.fetchOwnedRoom(code, this.token));
      } catch {
        // The next change, or a reload, tries again.
      }
    };
    for (const type of ["room", "session_changed"]) this.source.addEventListener(type, changed);
  }
}

function readStored() {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY));
    return stored?.code && stored?.token ? stored : null;
  } catch {
    return null;
  }
}

/**
 * Follows a room from /r/CODE: calls `onSession({id, problem})` with the room's current
 * session when the page opens and whenever the teacher starts another one, and
 * `onMissing(message)` when there is no such room. The browser's EventSource
 * reconnects by itself; every `room` or `session_changed` event names the current
 * session, so a repeated one changes nothing.
 */
export function followRoom(code, { onSession, onWaiting, onMissing }) {
  let current = null;
  let source = null;
  const apply = (data) => {
    if (!data.session_id) {
      onWaiting(`Waiting for the teacher to start a run in room ${data.code}.`);
      return;
    }
    if (data.session_id === current) return;
    current = data.session_id;
    onSession({ id: data.session_id, problem: data.problem ?? null });
  };
  api.fetchRoom(code).then(
    (room) => {
      apply(room);
      source = new EventSource(`/api/rooms/${encodeURIComponent(room.code)}/stream`);
      for (const type of ["room", "session_changed"]) {
        source.addEventListener(type, (event) => apply(JSON.parse(event.data)));
      }
    },
    (error) => {
      onMissing(
        error.status === 404 || error.status === 400
          ? `There is no room ${code.toUpperCase()}. Check the code on the projector.`
          : error.message,
      );
    },
  );
  return () => source?.close();
}

/**
 * Shows the room-code box (/r, or a code no room has): a typed code opens /r/CODE, and
 * one that cannot be a code is refused naming the box and what was typed.
 * @param {HTMLFormElement} form  holds input#join-code and p#join-error
 * @param {string} [message]  why the box is shown (e.g. the code typed was unknown)
 */
export function showJoinBox(form, message = "") {
  const input = form.querySelector("#join-code");
  const error = form.querySelector("#join-error");
  const say = (text) => {
    error.textContent = text;
    error.hidden = !text;
  };
  say(message);
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = input.value.trim();
    if (!CODE_PATTERN.test(typed)) {
      say(`Room code '${typed}': a room code is 6 letters and digits, as on the projector (there is no 0, O, 1, I or L).`);
      input.focus();
      return;
    }
    location.assign(`/r/${typed.toUpperCase()}`);
  });
  input.focus();
}
