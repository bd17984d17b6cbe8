// The chart: current and best energy over steps (top panel) and the temperature curve with
// the acceptance rate (bottom panel), drawn on one canvas from an EnergyTrace.
//
// Colours and type size come from CSS custom properties on the canvas, so the projector
// mode and the dark theme restyle the chart without touching this code. Drawing is
// batched to one per animation frame however many events arrive.
//
// Axes carry titles in the kind's own terms (the progress field `energy_label`, e.g.
// "Wiener index" or "tour length"; "energy" when a kind names none) and at least four
// "nice" tick labels (1, 2 or 5 times a power of ten; whole numbers when the energies
// are whole). Tick labels never overlap (issue 22): every tick gets a grid line, but only
// every k-th is labelled, k the smallest that leaves room between the labels as measured,
// and the temperature strip is kept tall enough for four labels. The legend names the
// kind's energy ("current tour length"). Lines are thick enough for a projector. Hovering or touching the chart
// shows a readout of the nearest point (step, current, best, T, acceptance). What was
// last drawn is kept in `axes` for the browser tests.
//
// The temperature line is the schedule itself (issue 22): the `connected` event carries
// the run's schedule curve (one cycle's corners, straight or exponential between them,
// repeated for every cycle; see server/kinds/curve.rs), and the chart draws it over the
// whole run, faint ahead of the run and solid where the run has been, so the class sees
// where the cooling goes. It is evaluated exactly at every pixel column (no sampled
// points, so no zig-zag however many steps an event holds); a column holding a reheat
// draws the jump. While a curve is known the step axis spans the whole run.

import { formatCount, formatPercent, formatValue } from "./format.js";

const STEPS = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const PAD = { left: 64, right: 52, top: 10, bottom: 26, gap: 22 };
/** Fewest tick labels an axis shows. */
const MIN_TICKS = 4;

export class Chart {
  /** @param {HTMLCanvasElement} canvas  @param {import("./trace.js").EnergyTrace} trace */
  constructor(canvas, trace) {
    this.canvas = canvas;
    this.trace = trace;
    this.totalSteps = 0;
    this.optimum = null;
    this.frame = 0;
    this.energyLabel = "energy";
    /** The run's schedule curve (null: none known; the received temperatures are drawn). */
    this.schedule = null;
    this.axes = null;
    this.hover = null;
    this.readout = null;
    this.geometry = null;
    new ResizeObserver(() => this.redraw()).observe(canvas);
    const track = (event) => {
      this.hover = { x: event.offsetX, y: event.offsetY };
      this.redraw();
    };
    canvas.addEventListener("pointermove", track);
    canvas.addEventListener("pointerdown", track);
    canvas.addEventListener("pointerleave", (event) => {
      if (event.pointerType === "mouse") {
        this.hover = null;
        this.redraw();
      }
    });
  }

  /** The element that shows the hover readout as text (optional). */
  setReadout(element) {
    this.readout = element;
  }

  /** The legend's items (li.current and li.best are named after the kind's energy). */
  setLegend(element) {
    this.legend = element;
    this.nameLegend();
  }

  /** Names the energy axis and the legend in the kind's terms ("Wiener index", "tour length"). */
  setEnergyLabel(label) {
    const next = label || "energy";
    if (next === this.energyLabel) return;
    this.energyLabel = next;
    this.nameLegend();
    this.redraw();
  }

  nameLegend() {
    if (!this.legend) return;
    this.legend.querySelector(".current").textContent = `current ${this.energyLabel}`;
    this.legend.querySelector(".best").textContent = `best ${this.energyLabel}`;
  }

  /** Sets the x extent (the run's total steps) and the known optimum (or null). */
  setRun(totalSteps, optimum) {
    this.totalSteps = totalSteps || 0;
    this.optimum = Number.isFinite(optimum) ? optimum : null;
    this.redraw();
  }

  /** Sets the run's schedule curve (the `schedule` of a `connected` event), or null. */
  setSchedule(curve) {
    const valid = curve && curve.steps_per_cycle >= 1 && curve.cycles >= 1 && curve.points?.length >= 1;
    this.schedule = valid ? curve : null;
    this.redraw();
  }

  /** The schedule's temperature of step `step` (counted from 1), or null without a curve. */
  scheduleAt(step) {
    return this.schedule ? temperatureAt(this.schedule, step) : null;
  }

  /** Schedules a redraw on the next animation frame. */
  redraw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  draw() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);

    const style = getComputedStyle(canvas);
    const color = (name) => style.getPropertyValue(name).trim() || "#888";
    const fontSize = parseFloat(style.fontSize) || 12;
    ctx.font = `${fontSize}px ${style.fontFamily}`;
    // Room for the tick labels at the sides, the step labels and title below, and each
    // panel's title above it; no more, so the panels keep the height.
    const pad = { ...PAD, left: fontSize * 5, right: fontSize * 3.6, bottom: fontSize * 2.1, top: fontSize * 1.5, gap: fontSize * 2.1 };
    // Line widths grow with the type, so projector mode draws lines a room can see.
    const thick = Math.max(1, fontSize / 13);

    const points = this.trace.all();
    const lastStep = points.length ? points[points.length - 1].step : 0;
    // The step axis grows with the run (so a slow teaching-mode run is readable from its
    // first steps) and reaches the run's total steps at the end.
    // A known schedule is drawn over the whole run, so the axis spans it from the start.
    const curve = this.schedule;
    const runLength = curve ? curve.steps_per_cycle * curve.cycles : 0;
    const xMax = curve
      ? Math.max(lastStep, runLength, 10)
      : Math.max(lastStep, Math.min(this.totalSteps || Infinity, niceCeil(lastStep * 1.25)), 10);
    const plotWidth = width - pad.left - pad.right;
    const tickHeight = fontSize;
    const panels = height - pad.top - pad.bottom - pad.gap;
    // The temperature strip holds four labels with room between them, however small the chart.
    const energyHeight = panels - Math.min(panels * 0.5, Math.max(panels * 0.36, tickHeight * 6));
    const tempTop = pad.top + energyHeight + pad.gap;
    const tempHeight = height - tempTop - pad.bottom;
    const x = (step) => pad.left + (step / xMax) * plotWidth;

    // Energy panel.
    let low = Infinity;
    let high = -Infinity;
    for (const p of points) {
      low = Math.min(low, p.low, p.best);
      high = Math.max(high, p.high, p.best);
    }
    if (this.optimum !== null && points.length) {
      low = Math.min(low, this.optimum);
      high = Math.max(high, this.optimum);
    }
    const integral = points.every((p) => Number.isInteger(p.current) && Number.isInteger(p.best));
    const energyTicks = niceTicks(low, high, integral);
    const energy = scale(energyTicks.low, energyTicks.high, pad.top + energyHeight, pad.top, false);
    frame(ctx, pad.left, pad.top, plotWidth, energyHeight, color("--chart-grid"), energyTicks.values.map(energy));
    const axes = { x: null, energy: null, temperature: null, acceptance: null };
    if (points.length) {
      if (this.trace.stride > 1) band(ctx, points, x, energy, color("--chart-band"));
      line(ctx, points, x, (p) => energy(p.current), color("--chart-current"), 2 * thick);
      line(ctx, points, x, (p) => energy(p.best), color("--chart-best"), 3.5 * thick);
      if (this.optimum !== null) {
        dashed(ctx, pad.left, pad.left + plotWidth, energy(this.optimum), color("--chart-optimum"), 2 * thick);
      }
    }
    axes.energy = {
      title: this.energyLabel,
      ...labelTicks(ctx, energyTicks.values, pad.left - 6, energy, color("--chart-text"), "right", formatTick, tickHeight),
    };
    title(ctx, this.energyLabel, pad.left, pad.top - 4, color("--chart-text"), "left");

    // Temperature and acceptance panel.
    let tMax = 0;
    for (const p of points) tMax = Math.max(tMax, p.temperature);
    if (curve) for (const [, t] of curve.points) tMax = Math.max(tMax, t);
    const tTicks = niceTicks(0, tMax || 1, false);
    const temperature = scale(0, tTicks.high, tempTop + tempHeight, tempTop, false);
    /** The temperature axis drawn last, [low, high] (read by the browser tests). */
    this.temperatureDomain = temperature.domain;
    const acceptance = scale(0, 1, tempTop + tempHeight, tempTop, false);
    frame(ctx, pad.left, tempTop, plotWidth, tempHeight, color("--chart-grid"), tTicks.values.map(temperature));
    let scheduleDrawn = null;
    if (curve) {
      scheduleDrawn = scheduleLine(ctx, curve, x, xMax, lastStep, temperature, color("--chart-temp"), 3 * thick);
    }
    if (points.length) {
      line(ctx, points, x, (p) => acceptance(p.acceptance), color("--chart-accept"), 2 * thick);
      if (!curve) line(ctx, points, x, (p) => temperature(p.temperature), color("--chart-temp"), 3 * thick);
    }
    /** What the schedule line last covered (read by the browser tests), or null. */
    this.scheduleDrawn = scheduleDrawn;
    axes.temperature = {
      title: "temperature T",
      ...labelTicks(ctx, tTicks.values, pad.left - 6, temperature, color("--chart-temp"), "right", formatTick, tickHeight),
    };
    axes.acceptance = {
      title: "acceptance",
      ...labelTicks(
        ctx,
        [0, 0.25, 0.5, 0.75, 1],
        pad.left + plotWidth + 6,
        acceptance,
        color("--chart-accept"),
        "left",
        (v) => `${Math.round(v * 100)}%`,
        tickHeight,
      ),
    };
    title(ctx, "temperature T", pad.left, tempTop - 4, color("--chart-temp"), "left");
    title(ctx, "acceptance", pad.left + plotWidth, tempTop - 4, color("--chart-accept"), "right");

    // Step axis: every k-th tick labelled, k the smallest that keeps the labels apart.
    const stepTicks = niceTicks(0, xMax, true, true).values.filter((value) => value <= xMax);
    ctx.fillStyle = color("--chart-text");
    ctx.textBaseline = "top";
    const stepLabels = stepTicks.map((value) => STEPS.format(value));
    // Below the half label that the side axes' lowest ticks reach under the plot.
    const stepLabelTop = height - pad.bottom + fontSize * 0.6 + 2;
    const widest = Math.max(...stepLabels.map((label) => ctx.measureText(label).width));
    const spacing = stepTicks.length > 1 ? x(stepTicks[1]) - x(stepTicks[0]) : Infinity;
    const every = Math.max(1, Math.ceil((widest + fontSize) / spacing));
    const xLabels = [];
    const xBoxes = [];
    stepTicks.forEach((value, i) => {
      if (i % every !== 0) return;
      const label = stepLabels[i];
      const w = ctx.measureText(label).width;
      const left = value === 0 ? x(value) : x(value) - w / 2;
      ctx.textAlign = "left";
      ctx.fillText(label, left, stepLabelTop);
      xLabels.push(label);
      xBoxes.push({ label, x: left, y: stepLabelTop, width: w, height: tickHeight });
    });
    // The axis title follows the last step label on its line.
    const lastBox = xBoxes[xBoxes.length - 1];
    ctx.textAlign = "left";
    ctx.fillText("step", Math.min(lastBox.x + lastBox.width + fontSize * 0.6, width - ctx.measureText("step").width), stepLabelTop);
    axes.x = { title: "step", ticks: xLabels, boxes: xBoxes };
    this.axes = axes;
    this.geometry = { x, xMax, pad, plotWidth, energy, tempTop, tempHeight, height };
    this.drawReadout(ctx, points, color, thick);
  }

  /** The hover or touch readout: the nearest point's numbers, on the chart and as text. */
  drawReadout(ctx, points, color, thick) {
    const hover = this.hover;
    if (!hover || !points.length || !this.geometry) {
      if (this.readout) this.readout.textContent = "";
      return;
    }
    const { x, xMax, pad, plotWidth, height } = this.geometry;
    const step = ((hover.x - pad.left) / plotWidth) * xMax;
    let nearest = points[0];
    for (const p of points) if (Math.abs(p.step - step) < Math.abs(nearest.step - step)) nearest = p;
    const at = x(nearest.step);
    ctx.strokeStyle = color("--chart-text");
    ctx.lineWidth = thick;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(at, pad.top);
    ctx.lineTo(at, height - pad.bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    const text = [
      `step ${formatCount(nearest.step)}`,
      `current ${formatValue(nearest.current)}`,
      `best ${formatValue(nearest.best)}`,
      `T ${formatValue(nearest.temperature)}`,
      `acceptance ${formatPercent(nearest.acceptance)}`,
    ];
    const lineHeight = parseFloat(ctx.font) * 1.3;
    const boxWidth = Math.max(...text.map((t) => ctx.measureText(t).width)) + 12;
    const left = at + boxWidth + 12 > pad.left + plotWidth ? at - boxWidth - 8 : at + 8;
    ctx.fillStyle = color("--chart-readout-bg");
    ctx.globalAlpha = 0.92;
    ctx.fillRect(left, pad.top + 4, boxWidth, lineHeight * text.length + 8);
    ctx.globalAlpha = 1;
    ctx.fillStyle = color("--chart-readout-ink");
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    text.forEach((t, i) => ctx.fillText(t, left + 6, pad.top + 8 + i * lineHeight));
    if (this.readout) this.readout.textContent = text.join(" · ");
  }
}

/**
 * The temperature of step `step` (counted from 1) on a schedule curve: the cycle's
 * corners joined straight ("linear") or straight in log T ("log", exponential).
 */
export function temperatureAt(curve, step) {
  const dt = curve.steps_per_cycle;
  const s = ((Math.max(1, Math.ceil(step)) - 1) % dt) + 1;
  const p = curve.points;
  let i = 0;
  while (i + 1 < p.length && p[i + 1][0] <= s) i += 1;
  if (i + 1 >= p.length || s <= p[i][0]) return p[i][1];
  const f = (s - p[i][0]) / (p[i + 1][0] - p[i][0]);
  const [a, b] = [p[i][1], p[i + 1][1]];
  return curve.interpolation === "log" && a > 0 && b > 0 ? Math.exp(Math.log(a) + f * (Math.log(b) - Math.log(a))) : a + f * (b - a);
}

/**
 * Draws the schedule curve over steps 0..xMax, one vertical extent per pixel column
 * (exact: every column spans the temperatures of its own steps), faint after `done`
 * and solid up to it. Returns what was drawn, for the browser tests.
 */
function scheduleLine(ctx, curve, x, xMax, done, y, stroke, width) {
  const dt = curve.steps_per_cycle;
  const end = Math.min(xMax, dt * curve.cycles);
  const left = x(0);
  const columns = Math.max(1, Math.ceil(x(end) - left));
  const stepAt = (px) => (px / columns) * end;
  const cycleMin = Math.min(...curve.points.map((q) => q[1]));
  const cycleMax = Math.max(...curve.points.map((q) => q[1]));
  // The path of columns [from, to): each column from its first step's T to its last's,
  // through T0 and the cycle's last T where a reheat falls inside it.
  const path = (from, to) => {
    ctx.beginPath();
    for (let px = from; px < to; px += 1) {
      const first = Math.max(1, Math.floor(stepAt(px)) + 1);
      const last = Math.max(first, Math.floor(stepAt(px + 1)));
      const [a, b] = [temperatureAt(curve, first), temperatureAt(curve, last)];
      const cx = left + px;
      if (px === from) ctx.moveTo(cx, y(a));
      if (last - first + 1 >= dt) {
        ctx.lineTo(cx, y(cycleMax));
        ctx.lineTo(cx, y(cycleMin));
      } else if (Math.floor((first - 1) / dt) !== Math.floor((last - 1) / dt)) {
        ctx.lineTo(cx, y(temperatureAt(curve, Math.ceil(first / dt) * dt)));
        ctx.lineTo(cx, y(curve.points[0][1]));
      }
      ctx.lineTo(cx + 1, y(b));
    }
    ctx.stroke();
  };
  const split = Math.max(0, Math.min(columns, Math.round(((done || 0) / end) * columns)));
  ctx.strokeStyle = stroke;
  ctx.lineJoin = "round";
  ctx.lineWidth = width * 0.6;
  ctx.globalAlpha = 0.45;
  if (split < columns) path(split, columns);
  ctx.globalAlpha = 1;
  ctx.lineWidth = width;
  if (split > 0) path(0, split);
  return { schedule: curve.schedule, from: 0, to: end, cycles: curve.cycles, columns, solidColumns: split };
}

/**
 * At least MIN_TICKS tick values covering [low, high]: multiples of 1, 2 or 5 times a
 * power of ten (whole numbers when `integral`); `low`/`high` widened to the ticks.
 */
export function niceTicks(low, high, integral, fromZero = false) {
  if (!Number.isFinite(low) || !Number.isFinite(high)) [low, high] = [0, 1];
  if (high - low < 1e-9) [low, high] = integral ? [low - 2, high + 2] : [low - 1, high + 1];
  const span = high - low;
  let stepSize = 0;
  const power = 10 ** Math.floor(Math.log10(span / MIN_TICKS));
  for (const f of [10, 5, 2, 1, 0.5, 0.2, 0.1]) {
    const candidate = f * power;
    if (integral && candidate < 1) continue;
    const first = Math.ceil(low / candidate - 1e-9) * candidate;
    const count = Math.floor((high - first) / candidate + 1e-9) + 1;
    if (count >= MIN_TICKS) {
      stepSize = candidate;
      break;
    }
  }
  if (!stepSize) stepSize = integral ? 1 : span / MIN_TICKS;
  const start = fromZero ? 0 : Math.floor(low / stepSize + 1e-9) * stepSize;
  const end = Math.ceil(high / stepSize - 1e-9) * stepSize;
  const values = [];
  for (let v = start; v <= end + stepSize * 1e-6; v += stepSize) values.push(Number(v.toPrecision(12)));
  while (values.length < MIN_TICKS) values.push(Number((values[values.length - 1] + stepSize).toPrecision(12)));
  return { values, low: values[0], high: values[values.length - 1] };
}

function scale(low, high, bottom, top, margin = true) {
  if (!Number.isFinite(low) || !Number.isFinite(high)) [low, high] = [0, 1];
  if (high - low < 1e-9) [low, high] = [low - 1, high + 1];
  if (margin) {
    const pad = (high - low) * 0.06;
    [low, high] = [low - pad, high + pad];
  }
  const map = (value) => bottom - ((value - low) / (high - low)) * (bottom - top);
  map.domain = [low, high];
  return map;
}

function frame(ctx, left, top, width, height, stroke, gridYs = []) {
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1;
  ctx.strokeRect(left + 0.5, top + 0.5, width, height);
  ctx.beginPath();
  for (const y of gridYs) {
    if (y <= top + 1 || y >= top + height - 1) continue;
    ctx.moveTo(left, Math.round(y) + 0.5);
    ctx.lineTo(left + width, Math.round(y) + 0.5);
  }
  ctx.globalAlpha = 0.5;
  ctx.stroke();
  ctx.globalAlpha = 1;
}

function line(ctx, points, x, y, stroke, width) {
  ctx.strokeStyle = stroke;
  ctx.lineWidth = width;
  ctx.lineJoin = "round";
  ctx.beginPath();
  points.forEach((p, i) => (i === 0 ? ctx.moveTo(x(p.step), y(p)) : ctx.lineTo(x(p.step), y(p))));
  if (points.length === 1) ctx.lineTo(x(points[0].step) + 2, y(points[0]));
  ctx.stroke();
}

function band(ctx, points, x, y, fill) {
  ctx.fillStyle = fill;
  ctx.beginPath();
  points.forEach((p, i) => (i === 0 ? ctx.moveTo(x(p.step), y(p.high)) : ctx.lineTo(x(p.step), y(p.high))));
  for (let i = points.length - 1; i >= 0; i -= 1) ctx.lineTo(x(points[i].step), y(points[i].low));
  ctx.closePath();
  ctx.fill();
}

function dashed(ctx, from, to, y, stroke, width) {
  ctx.strokeStyle = stroke;
  ctx.lineWidth = width;
  ctx.setLineDash([6, 4]);
  ctx.beginPath();
  ctx.moveTo(from, y);
  ctx.lineTo(to, y);
  ctx.stroke();
  ctx.setLineDash([]);
}

/**
 * Writes tick labels beside an axis: every k-th value, k the smallest that leaves a
 * fifth of a label's height between labels of `size` px. Returns {ticks, boxes}: the
 * labels written and their boxes in CSS pixels (read by the browser tests).
 */
function labelTicks(ctx, values, at, y, fill, align, format, size) {
  ctx.fillStyle = fill;
  ctx.textAlign = align;
  ctx.textBaseline = "middle";
  const spacing = values.length > 1 ? Math.abs(y(values[1]) - y(values[0])) : Infinity;
  // A fifth of a label between labels; where that would leave fewer than MIN_TICKS
  // labels, labels that just clear each other.
  let room = size * 1.2;
  if (Math.ceil((values.length - 1) / Math.max(1, Math.ceil(room / spacing))) + 1 < MIN_TICKS) room = size * 1.02;
  const every = Math.max(1, Math.ceil(room / spacing));
  const ticks = [];
  const boxes = [];
  values.forEach((value, i) => {
    if (i % every !== 0 && i !== values.length - 1) return;
    if (i % every !== 0 && Math.abs(y(value) - y(values[i - (i % every)])) < room) return;
    const label = format(value);
    const width = ctx.measureText(label).width;
    ctx.fillText(label, at, y(value));
    ticks.push(label);
    boxes.push({ label, x: align === "right" ? at - width : at, y: y(value) - size / 2, width, height: size });
  });
  return { ticks, boxes };
}

/** An axis title above a panel. */
function title(ctx, text, at, bottom, fill, align) {
  ctx.fillStyle = fill;
  ctx.textAlign = align;
  ctx.textBaseline = "bottom";
  const font = ctx.font;
  ctx.font = `600 ${font}`;
  ctx.fillText(text, at, bottom);
  ctx.font = font;
}

/** The smallest 1, 2 or 5 times a power of ten that is at least `value`. */
function niceCeil(value) {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((f) => f * power).find((candidate) => candidate >= value);
}

function formatTick(value) {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (magnitude >= 1e4) return `${Number((value / 1e3).toPrecision(4))}k`;
  return String(Number(value.toPrecision(4)));
}
