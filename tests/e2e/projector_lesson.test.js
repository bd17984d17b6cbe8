// The whole lesson on the projector (issue 22, D2/D9): for each kind, at 1280x720 and
// 1920x1080 in Projector mode, the current drawing, the chart, the counters, the full
// step explanation while stepping, the finished summary and the room code are inside
// the viewport and do not intersect; nothing needs scrolling. At a phone's 390x844
// nothing overflows horizontally. Layout is read from bounding boxes, never pixels.
// Screenshots go to target/e2e-screenshots/ for review.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage, screenshot } from "./support/browser.js";
import { chooseProblem, fillParams, waitForState } from "./support/page.js";
import { startKiln } from "./support/server.js";

const KINDS = ["isomer", "tsp", "magnet"];
const SIZES = [
  [1280, 720],
  [1920, 1080],
];
/** What a class must see, by phase: selectors whose boxes must lie on screen, apart. */
const STEPPING = {
  drawing: "#current-svg",
  chart: "#chart",
  counters: "#counters",
  "step explanation": "#teach",
  "room code": "#room .room-code",
};
const FINISHED = {
  drawing: "#current-svg",
  chart: "#chart",
  counters: "#counters",
  "finished summary": "#summary",
  "room code": "#room .room-code",
};

/** The boxes of `selectors` (by name); fails naming one that is not shown. */
async function boxes(page, selectors) {
  const found = {};
  for (const [name, selector] of Object.entries(selectors)) {
    const box = await page.locator(selector).boundingBox();
    assert.ok(box && box.width > 0 && box.height > 0, `${name} (${selector}) is shown: ${JSON.stringify(box)}`);
    found[name] = box;
  }
  return found;
}

/** Every box inside the viewport, no two intersecting, and no scrolling. */
async function assertLaidOut(page, selectors, [width, height]) {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const found = await boxes(page, selectors);
  for (const [name, b] of Object.entries(found)) {
    assert.ok(
      b.x >= 0 && b.y >= 0 && b.x + b.width <= width + 0.5 && b.y + b.height <= height + 0.5,
      `${name} lies inside ${width}x${height}: ${JSON.stringify(b)}`,
    );
  }
  const names = Object.keys(found);
  for (const [i, a] of names.entries()) {
    for (const b of names.slice(i + 1)) {
      const p = found[a];
      const q = found[b];
      const intersect = p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
      assert.ok(!intersect, `${a} ${JSON.stringify(p)} and ${b} ${JSON.stringify(q)} do not intersect`);
    }
  }
  // The explanation and the summary are shown whole: their content is not clipped.
  for (const selector of ["#teach", "#summary"]) {
    const clipped = await page.locator(selector).evaluate((e) => !e.hidden && e.scrollHeight > e.clientHeight + 1);
    assert.equal(clipped, false, `${selector} shows all of its content`);
  }
  const scroll = await page.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
  assert.ok(scroll <= 1, `no scrolling needed (${scroll}px more)`);
}

describe("the projector shows the whole lesson", () => {
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

  for (const kind of KINDS) {
    for (const size of SIZES) {
      const [width, height] = size;
      it(`${kind} at ${width}x${height}: stepping, then finished`, async () => {
        const { context, page, errors } = await openPage(browser, `${kiln.url}/`, { viewport: { width, height } });
        await page.locator("#problem-picker input").first().waitFor({ state: "attached" });
        await chooseProblem(page, kind);
        await fillParams(page, { steps_per_cycle: 300, num_cycles: 1, steps_per_event: 10, max_events_per_sec: 60 });
        await page.locator("#projector").click();
        await page.locator("[data-action=step10]").click();
        await waitForState(page, "paused");
        await page.locator("[data-action=step1]").click();
        await page.locator("#teach").waitFor({ state: "visible" });
        await page.locator("#current-svg").waitFor({ state: "visible" });
        await assertLaidOut(page, STEPPING, size);
        await screenshot(page, `projector-${kind}-${width}x${height}-stepping`);
        await page.locator("[data-action=resume]").click();
        await waitForState(page, "complete", 30000);
        await page.locator("#summary").waitFor({ state: "visible" });
        await assertLaidOut(page, FINISHED, size);
        await screenshot(page, `projector-${kind}-${width}x${height}-finished`);
        await page.locator("#projector").click();
        assert.deepEqual(errors, []);
        await context.close();
      });
    }
  }

  it("overflows nothing horizontally on a 390x844 phone, for the teacher and in a room", async () => {
    const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
    const owner = await openPage(browser, `${kiln.url}/`, phone);
    await owner.page.locator("#param-formula").waitFor();
    await fillParams(owner.page, { steps_per_cycle: 300, num_cycles: 1, steps_per_event: 10, max_events_per_sec: 60 });
    await owner.page.getByRole("button", { name: "Start" }).click();
    await waitForState(owner.page, "complete", 30000);
    const code = (await owner.page.locator("#room .room-code").textContent()).trim();
    const room = await openPage(browser, `${kiln.url}/r/${code}`, phone);
    await waitForState(room.page, "complete", 30000);
    for (const { page } of [owner, room]) {
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 390, `the page is ${wide}px wide`);
    }
    await screenshot(owner.page, "projector-phone-owner");
    assert.deepEqual([...owner.errors, ...room.errors], []);
  });
});
