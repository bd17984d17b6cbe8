// Rooms: the teacher's page owns a room with a short code (6 characters, no 0/O/1/I/L)
// shown big for the projector, and every session the teacher configures becomes the
// room's current one. The room's page, /r/CODE, follows it: the room stream sends
// `session_changed` and the page switches to the new run by itself.
//
// The room token (which lets this tab point the room at its sessions) is kept in
// sessionStorage beside the session's control token; it never goes into a URL.

import * as api from "./api.js";

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
        await api.fetchRoom(stored.code);
        this.use(stored);
        return;
      } catch {
        sessionStorage.removeItem(STORAGE_KEY);
      }
    }
    const created = await api.createRoom();
    this.use({ code: created.code, token: created.room_token });
  }

  use({ code, token }) {
    this.code = code;
    this.token = token;
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ code, token }));
    const url = new URL(`/r/${code}`, location.href).href;
    this.element.querySelector(".room-code").textContent = code;
    const link = this.element.querySelector(".room-link");
    link.href = url;
    link.textContent = url;
    this.element.querySelector(".room-qr").src = `/api/rooms/${code}/qr.svg`;
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
