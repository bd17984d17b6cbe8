// The watch link and its QR code (drawn by the server), so a class can follow the run on
// their phones. The link carries only the session id: the owner's control token never
// appears in a URL. The server gives the link with an address phones can open; when it
// listens on this computer only, it sends a `share_hint` instead, and the panel shows
// that hint and the command that shares the server, with no QR code (one that could not
// work). `showShareHint` does the same for the room's panel (room.js).

export class SharePanel {
  /** @param {HTMLElement} element  holds a.watch-link, img.watch-qr and button.copy-link */
  constructor(element) {
    this.element = element;
    this.link = element.querySelector(".watch-link");
    this.qr = element.querySelector(".watch-qr");
    this.copy = element.querySelector(".copy-link");
    this.copy.addEventListener("click", () => this.copyLink());
    this.hide();
  }

  /** Shows the watch link of a configured session (watch_url, qr_url and share_hint from configure). */
  show(watchUrl, qrUrl, shareHint = null) {
    const absolute = new URL(watchUrl, location.href).href;
    this.link.href = absolute;
    this.link.textContent = absolute;
    if (showShareHint(this.element, shareHint)) this.qr.removeAttribute("src");
    else this.qr.src = qrUrl;
    this.element.hidden = false;
  }

  hide() {
    this.element.hidden = true;
    this.link.removeAttribute("href");
    this.qr.removeAttribute("src");
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
