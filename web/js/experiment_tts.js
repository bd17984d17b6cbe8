// The time-to-solution plot of the Experiment view: per parameter set, p(s), the
// fraction of its tasks that reached the known optimum within s steps, as a step
// function on a log step axis, with its 95 % bootstrap interval as a band, from the
// summary's `time_to_solution` (server/sweep/tts.rs; docs/experiments.md). A set with
// no known optimum has no curve; the legend says so.

const SVG_NS = "http://www.w3.org/2000/svg";
const BOX = { width: 640, height: 260, left: 56, right: 16, top: 16, bottom: 40 };
/** Line colours per parameter set, told apart also by dash patterns. */
const COLOURS = ["#0b6bcb", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0f766e"];
const DASHES = ["", "6 3", "2 3", "8 3 2 3"];

/**
 * Draws the p(s) curves of `groups` (the summary's) into `root`, each labelled by
 * `labelOf(group)`. Empty when no set has a known optimum.
 */
export function drawSuccessCurves(root, groups, labelOf) {
  const judged = groups.filter((g) => g.time_to_solution && g.time_to_solution.curve.length);
  root.replaceChildren();
  root.hidden = judged.length === 0;
  if (!judged.length) return;
  const steps = judged.flatMap((g) => g.time_to_solution.curve.map((p) => p.steps)).filter((s) => s > 0);
  const lo = Math.floor(Math.log10(Math.max(1, Math.min(...steps))));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...steps))));
  const inner = { w: BOX.width - BOX.left - BOX.right, h: BOX.height - BOX.top - BOX.bottom };
  const x = (s) => BOX.left + ((Math.log10(Math.max(s, 10 ** lo)) - lo) / (hi - lo)) * inner.w;
  const y = (p) => BOX.top + (1 - p) * inner.h;
  const svg = svg_("svg", { viewBox: `0 0 ${BOX.width} ${BOX.height}`, class: "exp-svg exp-tts-svg" });
  for (let e = lo; e <= hi; e++) {
    svg.append(svg_("line", { x1: x(10 ** e), x2: x(10 ** e), y1: y(0), y2: y(1), class: "exp-grid" }));
    svg.append(label(x(10 ** e), y(0) + 16, `10^${e}`, "middle"));
  }
  for (const p of [0, 0.5, 1]) {
    svg.append(svg_("line", { x1: x(10 ** lo), x2: x(10 ** hi), y1: y(p), y2: y(p), class: "exp-grid" }));
    svg.append(label(BOX.left - 6, y(p) + 4, String(p), "end"));
  }
  svg.append(label(BOX.left + inner.w / 2, BOX.height - 4, "steps s (log scale)", "middle"));
  svg.append(label(12, BOX.top + inner.h / 2, "p(s)", "middle"));
  judged.forEach((group, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const curve = group.time_to_solution.curve;
    // A step function: p holds from one point to the next.
    const start = 10 ** lo;
    const band = [[start, 0, 0]];
    const line = [[start, 0]];
    for (const point of curve) {
      const prev = line.at(-1);
      line.push([point.steps, prev[1]], [point.steps, point.p]);
      band.push([point.steps, band.at(-1)[1], band.at(-1)[2]], [point.steps, point.p_low, point.p_high]);
    }
    const upper = band.map(([s, , h]) => `${x(s).toFixed(1)},${y(h).toFixed(1)}`);
    const lower = band.map(([s, l]) => `${x(s).toFixed(1)},${y(l).toFixed(1)}`).reverse();
    svg.append(svg_("polygon", { points: [...upper, ...lower].join(" "), fill: colour, class: "exp-band" }));
    svg.append(
      svg_("polyline", {
        points: line.map(([s, p]) => `${x(s).toFixed(1)},${y(p).toFixed(1)}`).join(" "),
        stroke: colour,
        "stroke-dasharray": DASHES[i % DASHES.length],
        class: "exp-curve",
        "data-group": group.group,
        "data-points": curve.length,
      }),
    );
  });
  const heading = document.createElement("h3");
  heading.textContent = "Chance of reaching the known optimum within s steps, with its 95 % interval";
  const legend = document.createElement("ul");
  legend.className = "exp-legend";
  judged.forEach((group, i) => {
    const item = document.createElement("li");
    item.style.setProperty("--swatch", COLOURS[i % COLOURS.length]);
    const tts = group.time_to_solution;
    const best =
      tts.min_tts99 == null
        ? "never reached"
        : `TTS99 ${Math.round(tts.min_tts99).toLocaleString("en")} steps at s = ${tts.min_tts99_steps.toLocaleString("en")}`;
    item.textContent = `${labelOf(group)}: ${tts.reached} of ${tts.judged} reached; ${best}`;
    legend.append(item);
  });
  root.append(heading, svg, legend);
}

function svg_(tag, attributes) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v));
  return e;
}

function label(x, y, content, anchor) {
  const t = svg_("text", { x, y, "text-anchor": anchor, class: "exp-label" });
  t.textContent = content;
  return t;
}
