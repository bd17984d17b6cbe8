// The chart's tick labels never overlap (issue 22, D6): for a finished run of each kind,
// at 1920x1080 and 1280x720 in Projector mode, at 1366x768 and on a 390x844 phone, no two
// tick labels' boxes intersect (the boxes the chart measured as it wrote them, from
// `window.kiln.chartAxes()`), every axis keeps at least three labels, and the legend names
// the kind's energy as the energy axis does.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage, screenshot } from "./support/browser.js";
import { chooseProblem, fillParams, waitForState } from "./support/page.js";
import { startKiln } from "./support/server.js";

const SIZES = [
  { width: 1920, height: 1080, projector: true },
  { width: 1280, height: 720, projector: true },
  { width: 1366, height: 768, projector: false },
  { width: 390, height: 844, projector: false },
];

const intersect = (p, q) => p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;

describe("chart tick labels", () => {
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

  for (const kind of ["isomer", "tsp", "magnet"]) {
    it(`never overlap on a ${kind} chart at the four sizes, and the legend names its energy`, async () => {
      const { context, page, errors } = await openPage(browser, `${kiln.url}/`, { viewport: { width: 1366, height: 768 } });
      await page.locator("#problem-picker input").first().waitFor({ state: "attached" });
      await chooseProblem(page, kind);
      await fillParams(page, { steps_per_cycle: 400, num_cycles: 1, steps_per_event: 4, max_events_per_sec: 60 });
      await page.getByRole("button", { name: "Start" }).click();
      await waitForState(page, "complete", 30000);
      for (const { width, height, projector } of SIZES) {
        await page.setViewportSize({ width, height });
        const on = await page.evaluate(() => document.documentElement.classList.contains("projector"));
        if (on !== projector) await page.locator("#projector").click({ force: true });
        await page.evaluate(
          () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(resolve)))),
        );
        const axes = await page.evaluate(() => window.kiln.chartAxes());
        const boxes = [];
        for (const [name, axis] of Object.entries(axes)) {
          // Labels give way to room between them: at least three stay on every axis
          // (the four of chart.test.js hold where the panel is tall enough).
          assert.ok(axis.ticks.length >= 3, `${kind} ${width}x${height}: the ${name} axis has ${axis.ticks} labels`);
          for (const box of axis.boxes) boxes.push({ ...box, axis: name });
        }
        for (const [i, a] of boxes.entries()) {
          for (const b of boxes.slice(i + 1)) {
            assert.ok(
              !intersect(a, b),
              `${kind} ${width}x${height}: ${a.axis} '${a.label}' ${JSON.stringify(a)} and ${b.axis} '${b.label}' ${JSON.stringify(b)} overlap`,
            );
          }
        }
        await screenshot(page, `chart-ticks-${kind}-${width}x${height}`);
      }
      const energy = (await page.evaluate(() => window.kiln.chartAxes())).energy.title;
      assert.equal((await page.locator(".legend .current").textContent()).trim(), `current ${energy}`);
      assert.equal((await page.locator(".legend .best").textContent()).trim(), `best ${energy}`);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});
