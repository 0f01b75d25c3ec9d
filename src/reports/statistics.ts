/**
 * Percentile by linear interpolation between closest ranks (the "inclusive" method of
 * spreadsheets), so the median of an even count is the mean of the two middle values and
 * p50 always equals the median. Null for no values: "no data" is not zero.
 */
export function percentile(values: readonly number[], p: number): number | null {
  return percentileOfSorted(Float64Array.from(values).sort(), p);
}

/**
 * `percentile` of values already in ascending order: a report sorts each group's times once for
 * both its median and its 90th percentile. A Float64Array sorts numerically without a comparator
 * call per pair (a quarter's 125,000 times, bench/reports-at-scale).
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (sorted.length - 1) * p;
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const lo = sorted[lower]!;
  return lo + (sorted[upper]! - lo) * (rank - lower);
}

export function median(values: readonly number[]): number | null {
  return percentile(values, 0.5);
}

/** met / total, or null when nothing had a target. */
export function rate(met: number, total: number): number | null {
  return total === 0 ? null : met / total;
}

/** Targets met over targets decided (a null result is a target still running or none). */
export function attainment(results: readonly (boolean | null)[]): { met: number; total: number; rate: number | null } {
  const decided = results.filter((r): r is boolean => r !== null);
  const met = decided.filter(Boolean).length;
  return { met, total: decided.length, rate: rate(met, decided.length) };
}

/**
 * Order of client names and days: plain code-unit order, stable for the same data. localeCompare
 * cost a second sorting a quarter's 15,000 clients (bench/reports-at-scale).
 */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
