// The one share panel is the room's (room.js): its code, its QR code and its link follow
// every run. This module adds the current run's own watch link to it, one line with a
// copy button and no second QR code (a QR of one run would not follow the next). The
// link carries only the session id: the owner's control token never appears in a URL.
// When the server listens on this computer only it sends a `share_hint`, and
// `showShareHint` shows that hint and the command that shares the server, with no QR
// code (one that could not work).

export class SharePanel {
  /** @param {HTMLElement} element  holds a.watch-link and button.copy-link */
  constructor(element) {
    this.element = element;
    this.link = element.querySelector(".watch-link");
    this.copy = element.querySelector(".copy-link");
    this.copy.addEventListener("click", () => this.copyLink());
    this.hide();
  }

  /** Shows the watch link of a configured session (watch_url from configure). */
  show(watchUrl) {
    const absolute = new URL(watchUrl, location.href).href;
    this.link.href = absolute;
    this.link.textContent = absolute;
    this.element.hidden = false;
  }

  hide() {
    this.element.hidden = true;
    this.link.removeAttribute("href");
  }

  async copyLink() {
    try {
      await navigator.clipboard.writeText(this.link.href);
      this.copy.textContent = "Copied";
    } catch {
      // Clipboard access needs a secure context; selecting the text still lets people copy it.
      getSelection().selectAllChildren(this.link);
      this.copy.textContent = "Selected";
    }
    setTimeout(() => {
      this.copy.textContent = "Copy link";
    }, 1500);
  }
}

/**
 * Shows or hides a panel's sharing hint (p.share-hint, with a code element for the
 * command) and its QR code (img with a class ending in "qr"): with a hint, phones
 * cannot reach the server, so the QR code is hidden. Returns whether the hint is shown.
 * @param {HTMLElement} panel
 * @param {{message: string, command: string} | null} hint  the server's share_hint
 */
export function showShareHint(panel, hint) {
  const paragraph = panel.querySelector(".share-hint");
  const qr = panel.querySelector("img[class$='qr']");
  paragraph.hidden = !hint;
  qr.hidden = Boolean(hint);
  if (hint) {
    paragraph.querySelector(".share-hint-message").textContent = hint.message;
    paragraph.querySelector("code").textContent = hint.command;
  }
  return Boolean(hint);
}
