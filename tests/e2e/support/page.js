// Helpers that drive the classroom page the way a teacher does (fill the form, press
// the buttons) and read back what it shows, plus the awaited conditions the tests use.

/** Picks a problem kind by its radio button (isomer, tsp). */
export async function chooseProblem(page, name) {
  await page.locator(`label:has(#problem-${name})`).click();
  await page.locator(`#problem-${name}:checked`).waitFor({ state: "attached" });
}

/**
 * Sets up a run as a teacher does: picks the `problem` kind, then a `preset` (its
 * value or label) if given, then fills `params` (see fillParams).
 */
export async function configure(page, { problem, preset, params = {} }) {
  await chooseProblem(page, problem);
  if (preset !== undefined) await page.locator("#preset").selectOption(preset);
  await fillParams(page, params);
}

/** Fills parameter fields by name: {formula: "C8H18", max_events_per_sec: 30}. */
export async function fillParams(page, params) {
  for (const [name, value] of Object.entries(params)) {
    const field = page.locator(`#param-${name}`);
    const tag = await field.evaluate((element) => element.tagName);
    if (tag === "SELECT") await field.selectOption(String(value));
    else await field.fill(String(value));
  }
}

/** The step number the page shows. */
export async function shownStep(page) {
  const text = await page.locator("#stat-step").textContent();
  return Number(text.replaceAll(",", ""));
}

/** Waits until the page shows a step of at least `step`. */
export async function waitForStep(page, step, timeout = 20000) {
  await page.waitForFunction(
    (target) => Number(document.querySelector("#stat-step").textContent.replaceAll(",", "")) >= target,
    step,
    { timeout },
  );
}

/** Waits until the page says the run is in `state` (idle, running, paused, complete). */
export async function waitForState(page, state, timeout = 20000) {
  await page.waitForFunction((want) => window.kiln && window.kiln.state() === want, state, { timeout });
}

/** Waits until the connection indicator shows `status` (e.g. "reconnecting"). */
export async function waitForConnection(page, status, timeout = 20000) {
  await page.waitForFunction(
    (want) => document.querySelector("#connection .connection-label").textContent === want,
    status,
    { timeout },
  );
}

/** Waits until the page has received `count` more events of a type than `since`. */
export async function waitForEvents(page, type, since, count, timeout = 20000) {
  await page.waitForFunction(
    ([kind, from, more]) => window.kiln.eventCount(kind) >= from + more,
    [type, since, count],
    { timeout },
  );
}

/** The steps of the page's chart data, in order. */
export function chartSteps(page) {
  return page.evaluate(() => window.kiln.chartSteps());
}

/** Steps missing between consecutive chart points (steps_per_event 1 means every step). */
export function gaps(steps) {
  const missing = [];
  for (let i = 1; i < steps.length; i += 1) {
    if (steps[i] !== steps[i - 1] + 1) missing.push(`${steps[i - 1]} -> ${steps[i]}`);
  }
  return missing;
}
