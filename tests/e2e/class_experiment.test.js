// The class experiment (issue 24): a teacher and five phones in a room. The teacher
// presses "Class experiment" with C8H18 and two cooling settings (the same temperature
// range over 300 or 3000 steps); each phone shows its own run with its own seed, one run
// per setting; the projector's ensemble shows five points per setting at the end and
// success counts equal to the experiment summary's; the teacher's reload keeps the
// view; a phone that closes mid-run does not stop the others.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage, screenshot } from "./support/browser.js";
import { DESKTOP } from "./support/owner.js";
import { fillParams } from "./support/page.js";
import { startKiln } from "./support/server.js";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const PHONES = 5;
const SETTINGS = { formula: "C8H18", steps_per_cycle: 300, num_cycles: 1, steps_per_event: 30, max_events_per_sec: 30 };
const SLOW = 3000;

/** The phone's class panel: {seed, session, group, task} as it shows them. */
function shownRun(page) {
  return page.locator("#class-phone").evaluate((e) => ({ ...e.dataset }));
}

/** Waits until the phone watches the run its class panel names, answers that run. */
async function waitForOwnRun(page, notTask = null) {
  await page.waitForFunction(
    (before) => {
      const panel = document.querySelector("#class-phone");
      return panel.dataset.session && panel.dataset.task !== before && window.kiln.sessionId() === panel.dataset.session;
    },
    notTask,
    { timeout: 30000 },
  );
  return shownRun(page);
}

async function startClass(teacher) {
  await fillParams(teacher, SETTINGS);
  await teacher.locator("#class .class-compare-name").selectOption("steps_per_cycle");
  await teacher.locator("#class .class-compare-value").fill(String(SLOW));
  const created = teacher.waitForResponse((r) => r.url().endsWith("/class") && r.request().method() === "POST");
  await teacher.getByRole("button", { name: "Class experiment" }).click();
  const response = await created;
  assert.equal(response.status(), 201, await response.text());
  return (await response.json()).experiment_id;
}

/** Waits until every phone of `pages` says it ran every setting. */
async function waitAllDone(pages) {
  for (const page of pages) {
    await page.locator("#class-phone .class-phone-setting").filter({ hasText: "You ran every setting" }).waitFor({ timeout: 90000 });
  }
}

async function finish(teacher) {
  await teacher.locator("#class .class-finish").click();
  await teacher.locator('#class[data-state="complete"]').waitFor({ timeout: 20000 });
}

async function successCounts(teacher) {
  return teacher.locator("#class .class-success").evaluateAll((spans) => spans.map((s) => Number(s.textContent)));
}

describe("the class experiment", () => {
  let kiln;
  let browser;
  let owner;
  let code;
  const phones = [];

  before(async () => {
    kiln = await startKiln();
    browser = await launchBrowser();
    owner = await openPage(browser, `${kiln.url}/`, DESKTOP);
    await owner.page.locator("#param-formula").waitFor();
    await owner.page.locator("#room .room-code").waitFor({ state: "visible" });
    code = (await owner.page.locator("#room .room-code").textContent()).trim();
    for (let i = 0; i < PHONES; i++) phones.push(await openPage(browser, `${kiln.url}/r/${code}`, PHONE));
    for (const phone of phones) await phone.page.locator("#run-message").filter({ hasText: code }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
  });

  it("gives every phone its own runs, and the projector the ensemble and the summary's successes", async () => {
    const teacher = owner.page;
    const experimentId = await startClass(teacher);

    const first = [];
    for (const phone of phones) first.push(await waitForOwnRun(phone.page));
    assert.equal(new Set(first.map((r) => r.seed)).size, PHONES, `each phone has its own seed: ${JSON.stringify(first)}`);
    assert.equal(new Set(first.map((r) => r.session)).size, PHONES, "each phone watches its own run");
    for (const phone of phones) {
      await phone.page.locator("#class-phone").getByText("Your run").waitFor();
      await phone.page.waitForFunction(() => window.kiln.chartSteps().length > 0, null, { timeout: 30000 });
    }
    await screenshot(phones[0].page, "class-experiment-phone");

    // The teacher reloads mid-experiment: the ensemble view comes back.
    await teacher.reload();
    await teacher.locator('#class[data-state="running"] .class-live').waitFor({ timeout: 20000 });
    await teacher.locator("#class .class-point").first().waitFor({ timeout: 20000 });

    await waitAllDone(phones.map((p) => p.page));
    await teacher.locator("#class .class-status").filter({ hasText: `${2 * PHONES} of ${2 * PHONES} runs complete` }).waitFor({ timeout: 30000 });
    await finish(teacher);
    for (const group of [0, 1]) {
      const points = await teacher.locator(`#class circle.class-point[data-group="${group}"]`).count();
      assert.equal(points, PHONES, `setting ${group + 1}: one point per phone`);
    }
    const summary = (await (await fetch(`${kiln.url}/api/experiments/${experimentId}`)).json()).summary;
    assert.equal(summary.completed_count, 2 * PHONES);
    const reached = summary.groups.map((g) => g.reached_count);
    assert.deepEqual(await successCounts(teacher), reached, "the projector's successes are the summary's");
    const shownDist = await teacher.locator("#class .class-dist-summary").evaluateAll((ps) => ps.map((p) => Number(p.dataset.reached)));
    assert.deepEqual(shownDist, reached);
    assert.equal(await teacher.locator("#class .class-dist-setting").count(), 2, "the two distributions side by side");
    assert.equal(await teacher.locator("#class .class-best-svg svg").count(), 1, "the best structure is drawn");
    await screenshot(teacher, "class-experiment-teacher");
    // Projector mode at 1920x1080: the ensemble in the place of the drawings, in view.
    await teacher.setViewportSize({ width: 1920, height: 1080 });
    await teacher.locator("#projector").click();
    const box = await teacher.locator("#class .class-dist").boundingBox();
    assert.ok(box && box.y + box.height <= 1080 && box.x + box.width <= 1920, `the distributions are on screen: ${JSON.stringify(box)}`);
    await screenshot(teacher, "class-experiment-projector");
    await teacher.locator("#projector").click();
    await teacher.setViewportSize(DESKTOP.viewport);

    // And after a reload, the same ensemble.
    await teacher.reload();
    await teacher.locator('#class[data-state="complete"] .class-dist').waitFor({ timeout: 20000 });
    for (const group of [0, 1]) {
      assert.equal(await teacher.locator(`#class circle.class-point[data-group="${group}"]`).count(), PHONES);
    }
    assert.deepEqual(await successCounts(teacher), reached);
    for (const phone of [owner, ...phones]) assert.deepEqual(phone.errors, [], "no page errors");
  });

  it("goes on for the others when a phone closes mid-run", async () => {
    const teacher = owner.page;
    await startClass(teacher);
    const runs = [];
    for (const phone of phones) runs.push(await waitForOwnRun(phone.page));
    // A phone on the slow setting leaves in the middle of its run.
    const leaving = runs.findIndex((r) => r.group === "1");
    assert.ok(leaving >= 0, `a phone runs the slow setting first: ${JSON.stringify(runs)}`);
    await phones[leaving].page.waitForFunction(() => window.kiln.chartSteps().length > 1, null, { timeout: 30000 });
    await phones[leaving].context.close();
    const staying = phones.filter((_, i) => i !== leaving).map((p) => p.page);
    await waitAllDone(staying);
    await teacher.locator("#class circle.class-point.left").first().waitFor({ timeout: 20000 });
    await finish(teacher);
    const view = await (await fetch(`${kiln.url}/api/rooms/${code}/class`)).json();
    assert.equal(view.summary.completed_count, 2 * (PHONES - 1), "every staying phone ran both settings");
    const left = view.tasks.filter((t) => t.left);
    assert.equal(left.length, 1, "the closed phone's run is the one left behind");
    assert.equal(left[0].complete, false);
  });
});
