// The watch link and its QR code (drawn by the server), so a class can follow the run on
// their phones. The link carries only the session id: the owner's control token never
// appears in a URL.

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

  /** Shows the watch link of a configured session (watch_url and qr_url from configure). */
  show(watchUrl, qrUrl) {
    const absolute = new URL(watchUrl, location.href).href;
    this.link.href = absolute;
    this.link.textContent = absolute;
    this.qr.src = qrUrl;
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
