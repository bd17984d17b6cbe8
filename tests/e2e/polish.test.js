// D11's polish list (issue 22): no "not connected" before the first run or after a
// finished one, no "not configured" for a class waiting; Start is a few Tab presses
// from the top (a skip link past the form); choices read as words, not wire names; the
// room-code box shows its whole example; the step explanation is announced only while
// stepping. And (D10) the magnet's counters are the instance's (no cut on a plain
// lattice), and its drawing has a colour key: spin up and down, or the cut's two sides.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage } from "./support/browser.js";
import { DESKTOP } from "./support/owner.js";
import { chooseProblem, fillParams, waitForConnection, waitForState } from "./support/page.js";
import { startKiln } from "./support/server.js";

describe("the page's words and keys", () => {
  let kiln;
  let browser;

  before(async () => {
    kiln = await startKiln();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
  });

  it("says 'no run yet' before the first run and 'run finished' after it, never 'not connected'", async () => {
    const { context, page, errors } = await openPage(browser, `${kiln.url}/`, DESKTOP);
    await page.locator("#param-formula").waitFor();
    assert.equal(await page.locator("#connection .connection-label").textContent(), "no run yet");
    assert.equal(await page.locator("#run-state").textContent(), "no run yet");
    assert.doesNotMatch(await page.locator("#param-optimization_mode").evaluate((s) => s.selectedOptions[0].text), /^[A-Z]+$/);
    const code = (await page.locator("#room .room-code").textContent()).trim();
    const phone = await openPage(browser, `${kiln.url}/r/${code}`, { viewport: { width: 390, height: 844 } });
    await phone.page.locator("#run-message").filter({ hasText: code }).waitFor();
    assert.equal(await phone.page.locator("#run-state").textContent(), "no run yet", "students do not read 'not configured'");
    await fillParams(page, { formula: "C6H14", steps_per_cycle: 100, num_cycles: 1, steps_per_event: 10 });
    await page.getByRole("button", { name: "Start" }).click();
    await waitForState(page, "complete");
    await waitForConnection(page, "run finished");
    assert.equal(await page.locator("#teach").getAttribute("aria-live"), "off", "no announcements at the event rate");
    assert.deepEqual([...errors, ...phone.errors], []);
    await context.close();
    await phone.context.close();
  });

  it("reaches Start in three key presses from the top: Tab, Enter on the skip link, Tab", async () => {
    const { context, page } = await openPage(browser, `${kiln.url}/`, DESKTOP);
    await page.locator("#param-formula").waitFor();
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), "Skip to the run controls");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.dataset.action), "start");
    await context.close();
  });

  it("shows the room-code box's example whole", async () => {
    const { context, page } = await openPage(browser, `${kiln.url}/r`, { viewport: { width: 390, height: 844 } });
    const input = page.locator("#join-code");
    await input.waitFor();
    // The example, drawn in the box's own font and spacing, fits inside the box.
    const fits = await input.evaluate((box) => {
      const probe = document.createElement("span");
      const style = getComputedStyle(box);
      for (const p of ["font", "letterSpacing", "textTransform"]) probe.style[p] = style[p];
      probe.style.position = "absolute";
      probe.style.whiteSpace = "pre";
      probe.textContent = box.placeholder;
      document.body.append(probe);
      const needed = probe.getBoundingClientRect().width;
      probe.remove();
      const inner = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return { needed, inner };
    });
    assert.ok(fits.needed <= fits.inner, `the example needs ${fits.needed}px, the box has ${fits.inner}px`);
    await context.close();
  });

  it("shows the cut counters for a max-cut graph and not for a plain lattice", async () => {
    const { context, page, errors } = await openPage(browser, `${kiln.url}/`, DESKTOP);
    await page.locator("#param-formula").waitFor();
    await chooseProblem(page, "magnet");
    await page.locator("[data-action=step10]").click();
    await waitForState(page, "paused");
    const cut = page.locator("#counters [data-kind-counter=best_cut]");
    await page.locator("#counters [data-kind-counter=magnetization]").waitFor({ state: "visible" });
    assert.equal(await cut.isVisible(), false, "a lattice has no cut");
    const key = page.locator("#drawing-key");
    await key.waitFor({ state: "visible" });
    assert.deepEqual(await key.locator("li").allTextContents(), ["spin up (+1)", "spin down (-1)"], "the lattice's colour key");
    await page.locator("#preset").selectOption("maxcut_g1");
    await page.locator("[data-action=step10]").click();
    await cut.waitFor({ state: "visible" });
    assert.match(await cut.locator("dd").textContent(), /^\d[\d,]*$/);
    await key.filter({ hasText: "one side of the cut" }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });
});
