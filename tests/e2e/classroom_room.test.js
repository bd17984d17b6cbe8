// Rooms: the teacher's page shows a 6-character room code; a phone that typed /r/CODE
// follows the teacher through C6H14, C8H18 and C3H6O with no action of its own, and
// shows each run's molecules.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage, screenshot } from "./support/browser.js";
import { DESKTOP } from "./support/owner.js";
import { fillParams, waitForState } from "./support/page.js";
import { startKiln } from "./support/server.js";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
/** Digits and capitals without 0, O, 1, I and L. */
const UNAMBIGUOUS_CODE = /^[2-9ABCDEFGHJKMNPQRSTUVWXYZ]{6}$/;

/** Atoms of each element in a SMILES string (heavy atoms only; implicit hydrogens aside). */
function heavyAtoms(smiles) {
  const counts = {};
  for (const atom of smiles.match(/Cl|Br|[BCNOSPFI]|[cnops]/g) || []) {
    const element = atom.toUpperCase();
    counts[element] = (counts[element] || 0) + 1;
  }
  return counts;
}

describe("a room", () => {
  let kiln;
  let browser;
  let owner;
  let phone;
  let code;

  before(async () => {
    kiln = await startKiln();
    browser = await launchBrowser();
    owner = await openPage(browser, `${kiln.url}/`, DESKTOP);
    await owner.page.locator("#param-formula").waitFor();
    await owner.page.locator("#room .room-code").waitFor({ state: "visible" });
    code = (await owner.page.locator("#room .room-code").textContent()).trim();
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
  });

  it("has a 6-character code of an unambiguous alphabet, shown big, and a link to /r/CODE", async () => {
    assert.match(code, UNAMBIGUOUS_CODE);
    const size = await owner.page.locator("#room .room-code").evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    assert.ok(size >= 36, `the code is readable off a projector (font ${size}px)`);
    const href = await owner.page.locator("#room .room-link").getAttribute("href");
    assert.equal(new URL(href).pathname, `/r/${code}`);
  });

  it("is followed by a phone through three formulas with no action", async () => {
    // The student types the code in lower case on the phone.
    phone = await openPage(browser, `${kiln.url}/r/${code.toLowerCase()}`, PHONE);
    await phone.page.locator("#run-message").filter({ hasText: code }).waitFor();
    for (const [formula, carbons, oxygens] of [
      ["C6H14", 6, undefined],
      ["C8H18", 8, undefined],
      ["C3H6O", 3, 1],
    ]) {
      await fillParams(owner.page, { formula, steps_per_cycle: 300, steps_per_event: 10, max_events_per_sec: 60 });
      const configured = owner.page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
      await owner.page.getByRole("button", { name: "Start" }).click();
      const sessionId = (await (await configured).json()).session_id;
      await phone.page.waitForFunction((id) => window.kiln.sessionId() === id, sessionId, { timeout: 20000 });
      await waitForState(phone.page, "complete");
      await waitForState(owner.page, "complete");
      const best = await phone.page.locator("#best-caption").textContent();
      const atoms = heavyAtoms(best);
      assert.equal(atoms.C, carbons, `${formula}: the phone shows this run's best molecule (${best})`);
      assert.equal(atoms.O, oxygens, `${formula}: the phone shows this run's best molecule (${best})`);
      assert.equal(await phone.page.locator("#best-svg").isVisible(), true, `${formula}: the molecule is drawn`);
      await screenshot(phone.page, `classroom-room-phone-${formula}`);
    }
    assert.equal(await phone.page.evaluate(() => window.kiln.eventCount("error")), 0);
  });

  it("answers an unknown code with a clear message", async () => {
    const other = await openPage(browser, `${kiln.url}/r/ZZZZZZ`, PHONE);
    await other.page.locator("#run-message").filter({ hasText: "no room ZZZZZZ" }).waitFor();
    await other.context.close();
  });

  it("logged no console errors on either device", () => {
    assert.deepEqual(owner.errors, []);
    assert.deepEqual(phone.errors, []);
  });
});
