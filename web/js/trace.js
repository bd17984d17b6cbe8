// The energy trace of a run: the data behind the chart and the CSV download.
//
// Memory stays bounded on long runs. The trace keeps at most `limit` points; when it
// is full, neighbouring points are merged pairwise and each stored point then stands
// for twice as many events (the stride doubles). A merged point keeps the later
// event's numbers and the lowest and highest current energy it covers, so the chart
// can still draw the spread of a downsampled stretch. A point at step 0 (there once the
// server's trace is in) is never merged, so the chart always starts where the run did.
//
// A page that loads, reloads or joins late gets the run's earlier points from the
// server (GET /api/sa/{id}/trace) and puts them in front of what its stream brought.

export class EnergyTrace {
  constructor(limit = 2000) {
    this.limit = limit;
    this.clear();
  }

  /** Forgets every point (a reset or a new session). */
  clear() {
    this.points = [];
    this.pending = null;
    this.stride = 1;
  }

  /** Appends one progress event's numbers. */
  add({ step, current, best, temperature, acceptance }) {
    const point = { step, current, best, temperature, acceptance, low: current, high: current, count: 1 };
    this.pending = this.pending ? merge(this.pending, point) : point;
    if (this.pending.count >= this.stride) {
      this.points.push(this.pending);
      this.pending = null;
      if (this.points.length >= this.limit) this.halve();
    }
  }

  /**
   * Puts the server's points of this run that come before the first point the page has
   * in front of it ({step, current, best, temperature, acceptance}, oldest first).
   */
  prepend(points) {
    const first = this.all()[0];
    const earlier = points
      .filter((p) => first === undefined || p.step < first.step)
      .map((p) => ({ ...p, low: p.current, high: p.current, count: 1 }));
    if (earlier.length === 0) return;
    this.points = [...earlier, ...this.points];
    while (this.points.length >= this.limit) this.halve();
  }

  /** The points to draw: stored ones plus the bucket still filling. */
  all() {
    return this.pending ? [...this.points, this.pending] : this.points;
  }

  /** The step of every point, in order (tests check these have no gaps). */
  steps() {
    return this.all().map((point) => point.step);
  }

  /** The last point, or null. */
  last() {
    return this.pending || this.points[this.points.length - 1] || null;
  }

  /** The trace as CSV text, one line per point. */
  toCsv() {
    const lines = ["step,current_energy,best_energy,temperature,acceptance_rate,current_min,current_max"];
    for (const p of this.all()) {
      lines.push([p.step, p.current, p.best, p.temperature, p.acceptance, p.low, p.high].join(","));
    }
    return `${lines.join("\n")}\n`;
  }

  halve() {
    // Step 0 stays a point of its own, so the chart starts where the run did.
    const first = this.points[0]?.step === 0 ? 1 : 0;
    const merged = this.points.slice(0, first);
    for (let i = first; i + 1 < this.points.length; i += 2) merged.push(merge(this.points[i], this.points[i + 1]));
    if (this.points.length % 2 === 1) merged.push(this.points[this.points.length - 1]);
    this.points = merged;
    this.stride *= 2;
  }
}

function merge(earlier, later) {
  return {
    ...later,
    low: Math.min(earlier.low, later.low),
    high: Math.max(earlier.high, later.high),
    count: earlier.count + later.count,
  };
}
