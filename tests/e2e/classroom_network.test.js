// Classroom networking, served on loopback only (the tests' `--addr 127.0.0.1:0`): no
// phone can reach the server, so the teacher's page says so, shows the exact command
// that shares it, and shows no QR code for the room (the one share panel: issue 22). (Served on all
// interfaces, the links and QR codes carry a network address: tests/serve_network.rs.)

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { screenshot } from "./support/browser.js";
import { openOwnerPage } from "./support/owner.js";
import { fillParams, waitForState } from "./support/page.js";

describe("a server on loopback only", () => {
  let owner;
  let command;

  before(async () => {
    owner = await openOwnerPage();
    command = `kiln serve --addr 0.0.0.0:${new URL(owner.kiln.url).port}`;
    await owner.page.locator("#param-formula").waitFor();
    await fillParams(owner.page, { formula: "C6H14", steps_per_cycle: 100 });
    await owner.page.getByRole("button", { name: "Start" }).click();
    await waitForState(owner.page, "running");
  });

  after(async () => {
    await owner?.close();
  });

  it("has one share panel, the room's: no second QR code for the run alone", async () => {
    assert.equal(await owner.page.locator("img[class$='qr']").count(), 1);
    assert.equal(await owner.page.locator("#room #share").count(), 1, "the run's link is a line of the room panel");
  });

  for (const [panel, qr] of [["#room", ".room-qr"]]) {
    it(`says in ${panel} that phones cannot reach it, with the command that shares it, and shows no QR code`, async () => {
      const hint = owner.page.locator(`${panel} .share-hint`);
      await hint.waitFor({ state: "visible" });
      assert.match(await hint.textContent(), /Phones cannot open this server/);
      assert.equal((await owner.page.locator(`${panel} .share-hint code`).textContent()).trim(), command);
      assert.equal(await owner.page.locator(`${panel} ${qr}`).isVisible(), false, `no QR code in ${panel}`);
      assert.equal(await owner.page.locator(`${panel} ${qr}`).getAttribute("src"), null, `no QR code loaded in ${panel}`);
    });
  }

  it("logged no console errors", async () => {
    await screenshot(owner.page, "classroom-network-loopback-hint");
    assert.deepEqual(owner.errors, []);
  });
});
