// A parameter the server refuses: its message appears next to the field it names.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { screenshot } from "./support/browser.js";
import { fillParams } from "./support/page.js";
import { ownerPageForSuite } from "./support/owner.js";

describe("a bad parameter", () => {
  const owner = ownerPageForSuite();

  it("shows the server's 400 message under the field the server names", async () => {
    const { page } = owner;
    await fillParams(page, { formula: "C2H7" });
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/sa/configure"));
    await page.getByRole("button", { name: "Start" }).click();
    const response = await answer;
    assert.equal(response.status(), 400);
    const { error } = await response.json();
    assert.equal(error.field, "formula");

    const shown = page.locator(".field:has(#param-formula) .field-error");
    await shown.waitFor({ state: "visible" });
    assert.equal(await shown.textContent(), error.message);
    assert.equal(await page.locator("#param-formula").getAttribute("aria-invalid"), "true");
    assert.equal(await page.evaluate(() => window.kiln.state()), "none", "no session was created");
    await screenshot(page, "bad-parameter-desktop");
  });

  it("checks bounds in the page before asking the server", async () => {
    const { page } = owner;
    let asked = false;
    page.on("request", (request) => {
      if (request.url().endsWith("/api/sa/configure")) asked = true;
    });
    await fillParams(page, { formula: "C8H18", initial_temp: "-5" });
    const shown = page.locator(".field:has(#param-initial_temp) .field-error");
    await shown.waitFor({ state: "visible" });
    assert.match(await shown.textContent(), /greater than 0/);
    await page.getByRole("button", { name: "Start" }).click();
    assert.equal(await page.locator("#param-initial_temp").getAttribute("aria-invalid"), "true");
    assert.equal(asked, false, "an out-of-range value never reaches the server");
  });

  it("logged no console errors beyond the refused request", (t) => {
    const { errors } = owner;
    // Chromium logs every 4xx response itself ("Failed to load resource"); the page must add nothing.
    const own = errors.filter((e) => !/Failed to load resource: the server responded with a status of 400/.test(e));
    for (const e of errors.filter((e) => !own.includes(e))) t.diagnostic(`expected browser log: ${e}`);
    assert.deepEqual(own, []);
  });
});
