// The teacher key (docs/protocol.md, "Trust"): whoever holds it is the teacher, who
// alone creates runs, rooms and experiments on a classroom server. `kiln serve` prints
// a Local URL that carries it (`/?key=...`), as Jupyter's token URL does. The first
// page opened with it keeps the key in localStorage and takes it out of the address
// bar at once (history.replaceState), so a projected address bar never shows it and a
// reload, another tab or a browser restart keeps the teacher in control. A key the
// server no longer knows (it was restarted with another) is forgotten when a create
// answers so; the teacher opens the printed Local URL again.

const STORAGE_KEY = "kiln.teacherKey";

/** Moves `?key=` from the address bar into storage (done once, when this module loads). */
function adoptKeyFromAddress() {
  const url = new URL(window.location.href);
  const key = url.searchParams.get("key");
  if (key === null) return;
  if (key !== "") {
    try {
      localStorage.setItem(STORAGE_KEY, key);
    } catch {
      // Storage refused (a private window's quota): the key lives as long as this page.
      memoryKey = key;
    }
  }
  url.searchParams.delete("key");
  history.replaceState(history.state, "", `${url.pathname}${url.search}${url.hash}`);
}

let memoryKey = null;
adoptKeyFromAddress();

/** The teacher key this browser holds, or null (a student's page). */
export function teacherKey() {
  try {
    return localStorage.getItem(STORAGE_KEY) || memoryKey;
  } catch {
    return memoryKey;
  }
}

/** Forgets a key the server refused as wrong. */
export function forgetTeacherKey() {
  memoryKey = null;
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
}
