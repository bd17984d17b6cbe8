// Form truth: what the form shows is what the run uses, and mistakes are caught where
// they are made. An empty formula is an error under the field (not a silent default);
// a wrongly cased formula gets a suggestion; the step total shown is the real one (the
// server's total_steps); batch lives under Advanced; reset asks once when a run is in
// progress; a TSPLIB file can be chosen instead of pasted.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseProblem, fillParams, waitForState, waitForStep } from "./support/page.js";
import { ownerPageForSuite } from "./support/owner.js";

describe("the parameter form tells the truth", () => {
  const owner = ownerPageForSuite();

  it("an empty formula is an error under the field, and no session is made", async () => {
    const { page } = owner;
    let configured = 0;
    const count = (request) => {
      if (request.url().endsWith("/api/sa/configure")) configured += 1;
    };
    page.on("request", count);
    await fillParams(page, { formula: "" });
    await page.getByRole("button", { name: "Start" }).click();
    await page.locator("#param-formula-error").filter({ hasText: "Formula is empty" }).waitFor();
    page.off("request", count);
    assert.equal(configured, 0, "nothing was sent");
  });

  it("a wrongly cased formula gets a suggestion under the field", async () => {
    const { page } = owner;
    await fillParams(page, { formula: "c8h18" });
    await page.getByRole("button", { name: "Start" }).click();
    await page.locator("#param-formula-error").filter({ hasText: "did you mean C8H18?" }).waitFor();
  });

  it("a formula with one structure says so before it runs", async () => {
    const { page } = owner;
    await fillParams(page, { formula: "H2O" });
    await page.getByRole("button", { name: "Configure session" }).click();
    await page.locator("#kind-note").filter({ hasText: "H2O has only one structure" }).waitFor();
    assert.equal(await page.evaluate(() => window.kiln.state()), "idle", "said before any step");
  });

  it("shows the real step total, and the session's resolved schedule", async () => {
    const { page } = owner;
    await fillParams(page, { formula: "C8H18", steps_per_cycle: 700, num_cycles: 3 });
    await page.locator("#resolved").filter({ hasText: "3 × 700 = 2,100 steps" }).waitFor();
    const configured = page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
    await page.getByRole("button", { name: "Step 1 draw", exact: true }).click();
    const answer = await (await configured).json();
    assert.equal(answer.total_steps, 2100, "the server's total is the one the form showed");
    await page.locator("#resolved").filter({ hasText: "This session uses:" }).waitFor();
    const text = await page.locator("#resolved").textContent();
    assert.ok(text.includes(`= ${answer.total_steps.toLocaleString("en-US")} steps`), text);
    assert.ok(text.includes(`T0 ${answer.config.initial_temp}`), `${text} vs ${JSON.stringify(answer.config)}`);
  });

  it("keeps the engine's batch knob under Advanced, not beside Start", async () => {
    const { page } = owner;
    const inAdvanced = await page.locator("details.advanced #param-batch").count();
    assert.equal(inAdvanced, 1);
    assert.equal(await page.locator("#controls #param-batch").count(), 0);
  });

  it("marks Faulon's k as not used by a geometric schedule", async () => {
    const { page } = owner;
    await fillParams(page, { schedule: "geometric" });
    assert.ok(await page.locator(".field:has(#param-cooling_schedule_k)").evaluate((f) => f.classList.contains("unused")));
    await fillParams(page, { schedule: "faulon" });
    assert.ok(!(await page.locator(".field:has(#param-cooling_schedule_k)").evaluate((f) => f.classList.contains("unused"))));
  });

  it("reset asks once when a run is in progress, and a refusal keeps the run", async () => {
    const { page } = owner;
    await waitForState(page, "paused");
    await waitForStep(page, 1);
    let asked = 0;
    page.once("dialog", (dialog) => {
      asked += 1;
      dialog.dismiss();
    });
    await page.getByRole("button", { name: "Reset" }).click();
    await page.waitForFunction(() => true);
    assert.equal(asked, 1, "asked once");
    assert.equal(await page.evaluate(() => window.kiln.state()), "paused", "dismissed: the run stays");
    page.once("dialog", (dialog) => {
      asked += 1;
      dialog.accept();
    });
    await page.getByRole("button", { name: "Reset" }).click();
    await waitForState(page, "idle");
    assert.equal(asked, 2);
  });

  it("a TSPLIB file can be chosen instead of pasted", async () => {
    const { page } = owner;
    await chooseProblem(page, "tsp");
    const text = "NAME : square\nTYPE : TSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 0 10\n3 10 10\n4 10 0\nEOF\n";
    await page.locator(".field:has(#param-tsplib) input[type=file]").setInputFiles({
      name: "square.tsp",
      mimeType: "text/plain",
      buffer: Buffer.from(text),
    });
    await page.waitForFunction((want) => document.querySelector("#param-tsplib").value === want, text);
  });

  it("logged no console errors beyond the refused c8h18 request", (t) => {
    const { errors } = owner;
    // The browser itself logs the 400 the wrongly cased formula earned.
    const own = errors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e));
    for (const e of errors.filter((e) => !own.includes(e))) t.diagnostic(`expected browser log: ${e}`);
    assert.deepEqual(own, []);
  });
});
