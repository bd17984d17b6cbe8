// The form shows the numbers the run will use (issue 22, D7): for every preset of every
// kind, the step total the note under the schedule states before Start (asked of
// POST /api/sa/preview) equals the `total_steps` of the session that Configure then
// makes. A preset keeps the seed, and an edit after a preset clears the preset's name.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, openPage } from "./support/browser.js";
import { chooseProblem, fillParams } from "./support/page.js";
import { startKiln } from "./support/server.js";

/** The step total the note states once the server answered for the current values. */
async function statedTotal(page) {
  await page.waitForFunction(() => {
    const note = document.querySelector("#resolved");
    return note.dataset.pending === undefined && note.dataset.totalSteps !== undefined;
  }, null, { timeout: 30000 });
  const note = page.locator("#resolved");
  const total = Number(await note.getAttribute("data-total-steps"));
  assert.ok((await note.textContent()).includes(`= ${total.toLocaleString("en-US")} steps`), await note.textContent());
  return total;
}

describe("the form's step total", () => {
  let kiln;
  let browser;
  let page;
  let errors;
  let catalog;

  before(async () => {
    kiln = await startKiln();
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser, `${kiln.url}/`, { viewport: { width: 1366, height: 768 } }));
    await page.locator("#param-formula").waitFor();
    catalog = await (await fetch(`${kiln.url}/api/problems`)).json();
  });

  after(async () => {
    await browser?.close();
    await kiln?.stop();
  });

  it("equals the run's total_steps for every preset of every kind", async (t) => {
    let checked = 0;
    for (const problem of catalog.problems) {
      await chooseProblem(page, problem.name);
      for (const preset of problem.presets || []) {
        await page.locator("#preset").selectOption(preset.name);
        const stated = await statedTotal(page);
        const configured = page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
        await page.getByRole("button", { name: "Configure session" }).click();
        const answer = await (await configured).json();
        assert.equal(stated, answer.total_steps, `${problem.name} preset '${preset.name}': stated ${stated}, ran ${answer.total_steps}`);
        assert.equal(Number(await page.locator("#resolved").getAttribute("data-total-steps")), answer.total_steps);
        t.diagnostic(`${problem.name} / ${preset.name}: ${stated} steps`);
        checked += 1;
      }
    }
    assert.ok(checked >= 3, `${checked} presets checked`);
  });

  it("keeps the seed when a preset is chosen, and forgets the preset's name after an edit", async () => {
    const problem = catalog.problems.find((p) => (p.presets || []).length > 0);
    await chooseProblem(page, problem.name);
    await fillParams(page, { seed: 1234 });
    await page.locator("#preset").selectOption(problem.presets[0].name);
    assert.equal(await page.locator("#param-seed").inputValue(), "1234", "the preset kept the seed");
    assert.equal(await page.locator("#preset").inputValue(), problem.presets[0].name);
    await fillParams(page, { num_cycles: 3 });
    assert.equal(await page.locator("#preset").inputValue(), "", "edited values are no longer the preset's");
    assert.equal(await statedTotal(page) % 3, 0, "the new total is three cycles' worth");
    assert.deepEqual(errors, []);
  });
});
