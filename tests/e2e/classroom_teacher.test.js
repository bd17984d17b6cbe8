// The room belongs to the teacher, not to a tab (issue 22, D1): a phone follows the
// room; the teacher's tab closes; a new tab of the same browser opens "/" and shows the
// same code, controls the run in progress (pauses it) and the phone sees the pause. A
// second tab open at the same time is the same teacher in the same room. The same holds
// after the server is killed and started again on its data directory. "New room" is
// the one way to another code.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage } from "./support/browser.js";
import { startFromOwnerPage } from "./support/owner.js";
import { waitForState } from "./support/page.js";
import { startKiln } from "./support/server.js";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const NETWORK_ERROR = /net::ERR_|Failed to load resource/;

/** Opens "/" in a new tab of the teacher's browser (the same context: the same storage). */
async function newTeacherTab(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(`${url}/`);
  await page.locator("#room .room-code").filter({ hasText: /\S/ }).waitFor();
  return { page, errors };
}

const shownCode = async (page) => (await page.locator("#room .room-code").textContent()).trim();

describe("the teacher's room, across tabs and restarts", () => {
  let dataDir;
  let kiln;
  let browser;
  let teacher;
  let phone;
  let code;
  let sessionId;
  const errors = [];

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "kiln-teacher-"));
    kiln = await startKiln(["--data-dir", dataDir]);
    browser = await launchBrowser();
    // A run long enough to be in progress through the whole suite.
    const params = { formula: "C8H18", steps_per_cycle: 1000000, num_cycles: 1, steps_per_event: 1 };
    ({ owner: teacher, sessionId } = await startFromOwnerPage(browser, kiln, { ...params, max_events_per_sec: 20 }));
    await waitForState(teacher.page, "running");
    await teacher.page.locator("#room .room-code").filter({ hasText: /\S/ }).waitFor();
    code = await shownCode(teacher.page);
    phone = await openPage(browser, `${kiln.url}/r/${code}`, PHONE);
    await phone.page.waitForFunction((id) => window.kiln.sessionId() === id, sessionId, { timeout: 20000 });
    await waitForState(phone.page, "running");
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("a new tab after the teacher's tab closed shows the same code and pauses the run; the phone sees it", async () => {
    errors.push(...teacher.errors);
    await teacher.page.close();
    const tab = await newTeacherTab(teacher.context, kiln.url);
    assert.equal(await shownCode(tab.page), code, "the same room");
    await tab.page.waitForFunction((id) => window.kiln.sessionId() === id, sessionId, { timeout: 20000 });
    await waitForState(tab.page, "running");
    await tab.page.getByRole("button", { name: "Pause" }).click();
    await waitForState(tab.page, "paused");
    await waitForState(phone.page, "paused");
    await tab.page.getByRole("button", { name: "Resume" }).click();
    await waitForState(phone.page, "running");
    errors.push(...tab.errors);
    await tab.page.close();
  });

  it("a second tab open at the same time is the same teacher in the same room", async () => {
    const first = await newTeacherTab(teacher.context, kiln.url);
    const second = await newTeacherTab(teacher.context, kiln.url);
    assert.equal(await shownCode(first.page), code);
    assert.equal(await shownCode(second.page), code);
    for (const tab of [first, second]) {
      await tab.page.waitForFunction((id) => window.kiln.sessionId() === id, sessionId, { timeout: 20000 });
    }
    await second.page.getByRole("button", { name: "Pause" }).click();
    await waitForState(phone.page, "paused");
    await first.page.getByRole("button", { name: "Resume" }).click();
    await waitForState(phone.page, "running");
    errors.push(...first.errors, ...second.errors);
    await first.page.close();
    await second.page.close();
  });

  it("after a server restart, a new tab shows the same code and pauses the restored run; the phone sees it", async () => {
    await kiln.kill9();
    kiln = await startKiln(["--data-dir", dataDir], { addr: new URL(kiln.url).host });
    await kiln.stderrMatch(new RegExp(`session ${sessionId.slice(0, 8)} restored`));
    const tab = await newTeacherTab(teacher.context, kiln.url);
    assert.equal(await shownCode(tab.page), code, "the same room after the restart");
    await tab.page.waitForFunction((id) => window.kiln.sessionId() === id, sessionId, { timeout: 30000 });
    await waitForState(tab.page, "running", 30000);
    await waitForState(phone.page, "running", 30000);
    await tab.page.getByRole("button", { name: "Pause" }).click();
    await waitForState(tab.page, "paused");
    await waitForState(phone.page, "paused");
    errors.push(...tab.errors.filter((e) => !NETWORK_ERROR.test(e)));
    teacher.page = tab.page;
  });

  it("\"New room\" gives another code, which is the teacher's room from then on", async () => {
    const tab = teacher.page;
    await tab.getByRole("button", { name: "New room" }).click();
    await tab.waitForFunction((old) => {
      const shown = document.querySelector("#room .room-code").textContent.trim();
      return shown && shown !== old;
    }, code);
    const fresh = await shownCode(tab);
    const reopened = await newTeacherTab(teacher.context, kiln.url);
    assert.equal(await shownCode(reopened.page), fresh, "the new room is the teacher's room from now on");
    errors.push(...reopened.errors);
  });

  it("logged no console errors beyond the connections refused during the restart", () => {
    const own = [...errors, ...phone.errors].filter((e) => !NETWORK_ERROR.test(e));
    assert.deepEqual(own, []);
  });
});
