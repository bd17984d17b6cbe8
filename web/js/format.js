// How numbers and durations read on the page: grouped digits, a sensible number of
// decimals, and short durations ("2.4 s", "3 min 05 s").

const INTEGER = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A count: 12,345. */
export function formatCount(value) {
  return Number.isFinite(value) ? INTEGER.format(value) : "–";
}

/** An energy or temperature: up to four significant decimals, whole numbers kept whole. */
export function formatValue(value) {
  if (!Number.isFinite(value)) return "–";
  if (Number.isInteger(value)) return INTEGER.format(value);
  const magnitude = Math.abs(value);
  const digits = magnitude >= 1000 ? 1 : magnitude >= 1 ? 3 : 4;
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: digits }).format(value);
}

/** A fraction as a percentage: 0.237 -> "23.7%". */
export function formatPercent(value) {
  return Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : "–";
}

/** A wall time in milliseconds: "850 ms", "2.4 s", "3 min 05 s". */
export function formatDuration(ms) {
  if (!Number.isFinite(ms)) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60000);
  const seconds = Math.round((ms % 60000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
}
