// Rooms: the teacher's page owns a room with a short code (6 characters, no 0/O/1/I/L)
// shown big for the projector, and every session the teacher configures becomes the
// room's current one. The room's page, /r/CODE, follows it: the room stream sends
// `session_changed` and the page switches to the new run by itself.
//
// A student can also open /r and type the code into the join box (`showJoinBox`).
//
// The room token (which lets this tab point the room at its sessions) is kept in
// sessionStorage beside the session's control token; it never goes into a URL.

import * as api from "./api.js";
import { showShareHint } from "./share.js";

const STORAGE_KEY = "kiln.room";
/** A room code as a student may type it: 6 letters or digits, any case. */
export const CODE_PATTERN = /^[2-9A-HJKMNP-Za-hjkmnp-z]{6}$/;

/** The teacher's room: created once per tab, kept across reloads. */
export class OwnedRoom {
  /** @param {HTMLElement} element  holds .room-code, a.room-link and img.room-qr */
  constructor(element) {
    this.element = element;
    this.code = null;
    this.token = null;
  }

  /** Reuses this tab's room if the server still has it, or makes a new one. */
  async open() {
    const stored = readStored();
    if (stored) {
      try {
        this.use(await api.fetchRoom(stored.code), stored.token);
        return;
      } catch {
        sessionStorage.removeItem(STORAGE_KEY);
      }
    }
    const created = await api.createRoom();
    this.use(created, created.room_token);
  }

  /** Shows a room as the server describes it (code, room_url, join_url, qr_url, share_hint). */
  use(room, token) {
    this.code = room.code;
    this.token = token;
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ code: room.code, token }));
    const url = new URL(room.room_url ?? `/r/${room.code}`, location.href).href;
    this.element.querySelector(".room-code").textContent = room.code;
    const link = this.element.querySelector(".room-link");
    link.href = url;
    link.textContent = url;
    this.element.querySelector(".room-join").textContent = new URL(room.join_url ?? "/r", location.href).href;
    const qr = this.element.querySelector(".room-qr");
    if (showShareHint(this.element, room.share_hint)) qr.removeAttribute("src");
    else qr.src = room.qr_url ?? `/api/rooms/${room.code}/qr.svg`;
    this.element.hidden = false;
  }

  /** The room shows this session from now on (its watchers switch to it). */
  async show(sessionId) {
    if (!this.code) return;
    await api.setRoomSession(this.code, this.token, sessionId);
  }
}

function readStored() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY));
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
