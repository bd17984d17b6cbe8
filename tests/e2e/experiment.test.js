// The Experiment view: a C10H22 experiment of 2 schedules x 10 seeds built from the
// generated form and run from the page; the strip plot shows one point per task (20), a
// watcher opening the watch link sees the same points and rates, and the owner downloads a
// task as its replay record (the re-run needs the experiment's token).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage, screenshot } from "./support/browser.js";
import { fillParams } from "./support/page.js";
import { startKiln } from "./support/server.js";

const TASKS = 20;

/** Waits until the page's plot shows `count` points and the experiment is complete. */
async function waitForPoints(page, count, timeout = 60000) {
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll("#exp-plot circle.exp-point").length === n &&
      document.querySelector("#exp-state")?.dataset.state === "complete",
    count,
    { timeout },
  );
}

/** What the plot and the table show: each point's task and energy, each row's cells. */
function shown(page) {
  return page.evaluate(() => ({
    points: [...document.querySelectorAll("#exp-plot circle.exp-point")]
      .map((c) => `${c.dataset.task}:${c.dataset.energy}:${c.getAttribute("cx")}`)
      .sort(),
    rows: [...document.querySelectorAll("#exp-groups tbody tr")].map((tr) =>
      [...tr.children].map((td) => td.textContent),
    ),
  }));
}

describe("an experiment from the page", () => {
  let kiln;
  let browser;
  let owner;
  let watcher;
  let experimentId;

  before(async () => {
    kiln = await startKiln();
    browser = await launchBrowser();
    owner = await openPage(browser, `${kiln.url}/experiments`, { viewport: { width: 1280, height: 900 } });
    await owner.page.locator("#param-formula").waitFor();
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
  });

  it("runs 2 schedules x 10 seeds of C10H22 and plots 20 points", async () => {
    await fillParams(owner.page, { formula: "C10H22" });
    await owner.page.locator("#exp-vary-name").selectOption("schedule");
    await owner.page.locator("#exp-vary-values").fill("faulon, geometric");
    await owner.page.locator("#exp-seeds").fill("10");
    const created = owner.page.waitForResponse((r) => r.url().endsWith("/api/experiments"));
    await owner.page.getByRole("button", { name: "Run experiment" }).click();
    const answer = await (await created).json();
    experimentId = answer.experiment_id;
    assert.equal(answer.total_tasks, TASKS);
    await waitForPoints(owner.page, TASKS);

    const { rows } = await shown(owner.page);
    assert.deepEqual(
      rows.map((r) => r[0]),
      ["Schedule: faulon", "Schedule: geometric"],
    );
    // The page's table agrees with the server's summary.
    const status = await (await fetch(`${kiln.url}/api/experiments/${experimentId}`)).json();
    assert.equal(status.summary.total_tasks, TASKS);
    for (const [row, group] of rows.map((r, i) => [r, status.summary.groups[i]])) {
      assert.equal(row[1], "10");
      assert.equal(row[5], `${Math.round(group.success_rate * 100)}%`);
    }
    await screenshot(owner.page, "experiment-owner-complete");
  });

  it("shows a watcher the same points and rates through the watch link", async () => {
    const href = await owner.page.locator("#exp-watch-link").getAttribute("href");
    assert.equal(new URL(href).pathname, `/experiments/${experimentId}`);
    watcher = await openPage(browser, href, { viewport: { width: 390, height: 844 } });
    await waitForPoints(watcher.page, TASKS);
    assert.deepEqual(await shown(watcher.page), await shown(owner.page));
    assert.equal(await watcher.page.locator("#exp-vary-name").count(), 0, "no builder form");
    await screenshot(watcher.page, "experiment-watcher-complete");
  });

  it("downloads each task as its replay record for the owner, and not for a stranger", async () => {
    const link = owner.page.locator("#exp-tasks a.exp-task").first();
    await owner.page.locator("details.exp-task-list > summary").click();
    const [download] = await Promise.all([owner.page.waitForEvent("download"), link.click()]);
    const record = JSON.parse(readFileSync(await download.path(), "utf8"));
    assert.equal(record.problem.formula, "C10H22");
    assert.ok(record.checkpoints.length > 1);
    // Without the token the record (a re-run) is refused.
    const href = await link.getAttribute("href");
    const response = await fetch(new URL(href, kiln.url));
    assert.equal(response.status, 401);
    assert.equal(await watcher.page.locator("#exp-tasks a.exp-task").count(), 0, "a watcher gets no record links");
  });

  it("logged no console errors", () => {
    assert.deepEqual(owner.errors, []);
    assert.deepEqual(watcher.errors, []);
  });
});
