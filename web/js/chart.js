// The chart: current and best energy over steps (top panel) and the temperature curve with
// the acceptance rate (bottom panel), drawn on one canvas from an EnergyTrace.
//
// Colours and type size come from CSS custom properties on the canvas, so the projector
// mode and the dark theme restyle the chart without touching this code. Drawing is
// batched to one per animation frame however many events arrive.

const STEPS = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const PAD = { left: 64, right: 52, top: 10, bottom: 26, gap: 22 };

export class Chart {
  /** @param {HTMLCanvasElement} canvas  @param {import("./trace.js").EnergyTrace} trace */
  constructor(canvas, trace) {
    this.canvas = canvas;
    this.trace = trace;
    this.totalSteps = 0;
    this.optimum = null;
    this.frame = 0;
    new ResizeObserver(() => this.redraw()).observe(canvas);
  }

  /** Sets the x extent (the run's total steps) and the known optimum (or null). */
  setRun(totalSteps, optimum) {
    this.totalSteps = totalSteps || 0;
    this.optimum = Number.isFinite(optimum) ? optimum : null;
    this.redraw();
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
    ctx.font = `${fontSize * 0.85}px ${style.fontFamily}`;
    const pad = { ...PAD, left: fontSize * 5.2, right: fontSize * 4, bottom: fontSize * 2 };

    const points = this.trace.all();
    const lastStep = points.length ? points[points.length - 1].step : 0;
    // The step axis grows with the run (so a slow teaching-mode run is readable from its
    // first steps) and reaches the run's total steps at the end.
    const xMax = Math.max(lastStep, Math.min(this.totalSteps || Infinity, niceCeil(lastStep * 1.25)), 10);
    const plotWidth = width - pad.left - pad.right;
    const energyHeight = (height - pad.top - pad.bottom - pad.gap) * 0.64;
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
    const energy = scale(low, high, pad.top + energyHeight, pad.top);
    frame(ctx, pad.left, pad.top, plotWidth, energyHeight, color("--chart-grid"));
    if (points.length) {
      if (this.trace.stride > 1) band(ctx, points, x, energy, color("--chart-band"));
      line(ctx, points, x, (p) => energy(p.current), color("--chart-current"), 1.25);
      line(ctx, points, x, (p) => energy(p.best), color("--chart-best"), 2.5);
      if (this.optimum !== null) dashed(ctx, pad.left, pad.left + plotWidth, energy(this.optimum), color("--chart-optimum"));
      labelAxis(ctx, energy.domain, pad.left - 6, energy, color("--chart-text"), "right");
    }

    // Temperature and acceptance panel.
    let tMax = 0;
    for (const p of points) tMax = Math.max(tMax, p.temperature);
    const temperature = scale(0, tMax || 1, tempTop + tempHeight, tempTop, false);
    /** The temperature axis drawn last, [low, high] (read by the browser tests). */
    this.temperatureDomain = temperature.domain;
    const acceptance = scale(0, 1, tempTop + tempHeight, tempTop, false);
    frame(ctx, pad.left, tempTop, plotWidth, tempHeight, color("--chart-grid"));
    if (points.length) {
      line(ctx, points, x, (p) => acceptance(p.acceptance), color("--chart-accept"), 1.25);
      line(ctx, points, x, (p) => temperature(p.temperature), color("--chart-temp"), 2);
      labelAxis(ctx, temperature.domain, pad.left - 6, temperature, color("--chart-temp"), "right");
      labelAxis(ctx, [0, 1], pad.left + plotWidth + 6, acceptance, color("--chart-accept"), "left", (v) =>
        `${Math.round(v * 100)}%`,
      );
    }

    // Step axis.
    ctx.fillStyle = color("--chart-text");
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.fillText("0", pad.left, height - pad.bottom + 6);
    ctx.textAlign = "right";
    ctx.fillText(`${STEPS.format(xMax)} steps`, pad.left + plotWidth, height - pad.bottom + 6);
  }
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

function frame(ctx, left, top, width, height, stroke) {
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1;
  ctx.strokeRect(left + 0.5, top + 0.5, width, height);
  ctx.beginPath();
  for (const f of [0.25, 0.5, 0.75]) {
    ctx.moveTo(left, Math.round(top + height * f) + 0.5);
    ctx.lineTo(left + width, Math.round(top + height * f) + 0.5);
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

function dashed(ctx, from, to, y, stroke) {
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([6, 4]);
  ctx.beginPath();
  ctx.moveTo(from, y);
  ctx.lineTo(to, y);
  ctx.stroke();
  ctx.setLineDash([]);
}

function labelAxis(ctx, [low, high], at, y, fill, align, format = formatTick) {
  ctx.fillStyle = fill;
  ctx.textAlign = align;
  ctx.textBaseline = "middle";
  ctx.fillText(format(high), at, y(high) + 6);
  ctx.fillText(format(low), at, y(low) - 6);
}

/** The smallest 1, 2 or 5 times a power of ten that is at least `value`. */
function niceCeil(value) {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((f) => f * power).find((candidate) => candidate >= value);
}

function formatTick(value) {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (magnitude >= 1e4) return `${(value / 1e3).toFixed(0)}k`;
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 1) return value.toFixed(1);
  return value.toPrecision(2);
}
