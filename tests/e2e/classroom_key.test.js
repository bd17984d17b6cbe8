// The teacher key on the page (issue 21): the teacher opens the Local URL `kiln serve`
// printed, which carries the key, and is the teacher: the page keeps the key, takes it
// out of the address bar at once (a projected address bar never shows it), and a
// reload still creates and controls runs. A student's browser, which never had the key,
// cannot create a run on the classroom server and is told why.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage } from "./support/browser.js";
import { DESKTOP } from "./support/owner.js";
import { fillParams, waitForState } from "./support/page.js";
import { startKiln } from "./support/server.js";

/** The printed Local URL (it follows "Listening on"; waited for a bounded time). */
async function localUrl(kiln) {
  for (let i = 0; i < 100; i += 1) {
    const line = kiln.lines.find((l) => /^\s+Local\s/.test(l));
    if (line) return line.trim().split(/\s+/)[1];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no Local line printed:\n${kiln.lines.join("\n")}`);
}

/** Fills a long run of `formula` and presses Start; resolves to the configure answer's status. */
async function start(page, formula) {
  await page.locator("#param-formula").waitFor();
  await fillParams(page, { formula, steps_per_cycle: 1000000, num_cycles: 1, max_events_per_sec: 10 });
  const configured = page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
  await page.getByRole("button", { name: "Start" }).click();
  return (await configured).status();
}

describe("the teacher key on the page", () => {
  let kiln;
  let browser;
  let teacher;
  let local;

  before(async () => {
    kiln = await startKiln(["--classroom"]);
    local = await localUrl(kiln);
    assert.match(local, /\?key=[A-Za-z0-9_-]+$/);
    browser = await launchBrowser();
    teacher = await openPage(browser, local, DESKTOP);
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
  });

  it("the key leaves the address bar as soon as the page opens, and the page keeps it", async () => {
    await teacher.page.waitForFunction(() => !window.location.href.includes("key="), null, { timeout: 20000 });
    assert.equal(teacher.page.url(), `${kiln.url}/`);
    const key = new URL(local).searchParams.get("key");
    assert.equal(await teacher.page.evaluate(() => localStorage.getItem("kiln.teacherKey")), key);
  });

  it("the teacher creates a run and controls it", async () => {
    assert.equal(await start(teacher.page, "C8H18"), 201);
    await waitForState(teacher.page, "running");
    await teacher.page.getByRole("button", { name: "Pause" }).click();
    await waitForState(teacher.page, "paused");
  });

  it("after a reload the address bar stays clean and the teacher still controls and creates", async () => {
    await teacher.page.reload();
    assert.ok(!teacher.page.url().includes("key="), teacher.page.url());
    await waitForState(teacher.page, "paused");
    await teacher.page.getByRole("button", { name: "Resume" }).click();
    await waitForState(teacher.page, "running");
    await teacher.page.getByRole("button", { name: "Pause" }).click();
    await waitForState(teacher.page, "paused");
    // Changed parameters make Start create a new run (a create: it needs the key).
    assert.equal(await start(teacher.page, "C7H16"), 201, "a new run from the reloaded page");
    await waitForState(teacher.page, "running");
    assert.deepEqual(teacher.errors.filter((e) => !/401|Failed to load resource/.test(e)), []);
  });

  it("a student's browser without the key cannot create a run and is told how the teacher gets in", async () => {
    const student = await openPage(browser, `${kiln.url}/`, DESKTOP);
    assert.equal(await start(student.page, "C6H14"), 401);
    await student.page.getByText(/Local URL/).first().waitFor({ timeout: 20000 });
    await student.context.close();
  });
});
