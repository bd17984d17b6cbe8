// A session that is really gone (the server answers 404 for it, or ended it): the page
// says so once, in the status line, and offers the one action that recovers. On the
// owner's page that is a new run with the same settings (the form still holds them; in
// the same room, which follows every run the page configures). A watcher cannot start
// runs: its page says so and, in a room, waits for the teacher's next run by itself.
//
// A dropped connection or a restarting server is not "gone": the stream reconnects and
// the session goes on (docs/protocol.md, restarts). Only a 404 or a `session_ended`
// error gets here.

const NOTICE_CLASS = "gone-notice";

/**
 * Shows the notice after `anchor` (the status line's message), replacing an earlier one.
 * `action` ({label, run}) adds the one button that recovers; it removes the notice
 * when pressed.
 */
export function showGone(anchor, message, action = null) {
  clearGone(anchor);
  const notice = document.createElement("span");
  notice.className = NOTICE_CLASS;
  notice.setAttribute("role", "alert");
  notice.textContent = message;
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "gone-action";
    button.textContent = action.label;
    button.addEventListener("click", async () => {
      button.disabled = true;
      clearGone(anchor);
      await action.run();
    });
    notice.append(" ", button);
  }
  anchor.after(notice);
}

/** Removes the notice, if any. */
export function clearGone(anchor) {
  anchor.parentElement?.querySelector(`.${NOTICE_CLASS}`)?.remove();
}
