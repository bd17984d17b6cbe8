// The Experiment view as issue 22 (D4) and issue 24 ask: the steps per task shown
// before Run equal the steps every task ran; the watch link is the server's watch_url;
// parameter sets read by their labels; a link leads back to the classroom page; at the
// end the p(s) curves (one per parameter set, on a log step axis) agree with the
// summary's time to solution, and the CSV download has one row per task.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage, screenshot } from "./support/browser.js";
import { fillParams } from "./support/page.js";
import { startKiln } from "./support/server.js";

const TASKS = 12;

describe("an experiment's steps, curves and CSV", () => {
  let kiln;
  let browser;
  let owner;
  let answer;

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

  it("shows before Run the steps each task then runs", async () => {
    await fillParams(owner.page, { formula: "C8H18", steps_per_cycle: "3000", num_cycles: "2" });
    await owner.page.locator("#exp-vary-name").selectOption("schedule");
    await owner.page.locator("#exp-vary-values").fill("faulon, geometric");
    await owner.page.locator("#exp-seeds").fill(String(TASKS / 2));
    const planned = Number(await owner.page.locator("#exp-steps-planned").getAttribute("data-steps"));
    assert.equal(planned, 6000);
    const created = owner.page.waitForResponse((r) => r.url().endsWith("/api/experiments"));
    await owner.page.getByRole("button", { name: "Run experiment" }).click();
    answer = await (await created).json();
    assert.deepEqual(answer.steps_per_task, [planned, planned]);
    await owner.page.waitForFunction(() => document.querySelector("#exp-state")?.dataset.state === "complete", null, {
      timeout: 60000,
    });
    const status = await (await fetch(`${kiln.url}/api/experiments/${answer.experiment_id}`)).json();
    assert.equal(status.tasks.length, TASKS);
    for (const task of status.tasks) assert.equal(task.steps, planned, `task ${task.task_id}`);
    assert.equal(await owner.page.locator("#exp-steps-run").textContent(), planned.toLocaleString("en"));
  });

  it("links to the server's watch URL and back to the classroom page", async () => {
    const href = await owner.page.locator("#exp-watch-link").getAttribute("href");
    assert.equal(href, answer.watch_url);
    assert.equal(new URL(href).pathname, `/experiments/${answer.experiment_id}`);
    assert.equal(await owner.page.locator("#exp-back-link").getAttribute("href"), "/");
  });

  it("names parameter sets by their labels", async () => {
    const first = await owner.page.locator("#exp-groups tbody tr td").first().textContent();
    assert.equal(first, "Schedule: faulon");
    const options = await owner.page.locator("#exp-vary-name option").allTextContents();
    assert.ok(options.includes("Schedule"), options.join(", "));
  });

  it("draws p(s) per parameter set as the summary gives it", async () => {
    const summary = (await (await fetch(`${kiln.url}/api/experiments/${answer.experiment_id}`)).json()).summary;
    const judged = summary.groups.filter((g) => g.time_to_solution);
    assert.equal(judged.length, 2, "C8H18 has a known optimum (58)");
    const curves = await owner.page.evaluate(() =>
      [...document.querySelectorAll("#exp-tts polyline.exp-curve")].map((c) => ({
        group: Number(c.dataset.group),
        points: Number(c.dataset.points),
      })),
    );
    assert.deepEqual(
      curves,
      judged.map((g) => ({ group: g.group, points: g.time_to_solution.curve.length })),
    );
    const legend = await owner.page.locator("#exp-tts .exp-legend li").allTextContents();
    judged.forEach((g, i) => assert.match(legend[i], new RegExp(`${g.time_to_solution.reached} of ${g.time_to_solution.judged} reached`)));
    const axis = await owner.page.locator("#exp-tts text").allTextContents();
    assert.ok(axis.some((t) => t.startsWith("10^")), "a log step axis");
    await screenshot(owner.page, "experiment-tts");
  });

  it("downloads the tasks as CSV, one row per task", async () => {
    const href = await owner.page.locator("#exp-csv").getAttribute("href");
    const [download] = await Promise.all([owner.page.waitForEvent("download"), owner.page.locator("#exp-csv").click()]);
    const stream = await download.createReadStream();
    let text = "";
    for await (const chunk of stream) text += chunk;
    const rows = text.trim().split("\n");
    assert.equal(rows.length, TASKS + 1, href);
    assert.match(rows[0], /^task_id,group,seed,/);
  });

  it("logged no console errors", () => {
    assert.deepEqual(owner.errors, []);
  });
});
