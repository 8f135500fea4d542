/**
 * Percentiles and medians for the load benchmark.
 *
 * @module
 */

/**
 * The `p`-th percentile (0–100) of `sorted` (ascending), by nearest rank: the
 * smallest sample with at least `p`% of the samples at or below it. `NaN` for
 * no samples.
 *
 * @example
 * ```ts
 * import { percentile } from "./stats.ts";
 * import assert from "node:assert/strict";
 *
 * const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
 * assert.equal(percentile(sorted, 50), 50);
 * assert.equal(percentile(sorted, 99), 99);
 * assert.equal(percentile(sorted, 100), 100);
 * ```
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Joins sample arrays into one, sorted ascending. */
export function mergeSorted(parts: readonly Float64Array[]): Float64Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const all = new Float64Array(total);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all.sort();
}

/**
 * The median of `values` (the mean of the middle two for an even count);
 * `NaN` for none. Runs are noisy: the median of several is what we report.
 *
 * @example
 * ```ts
 * import { median } from "./stats.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(median([3, 1, 2]), 2);
 * assert.equal(median([4, 1, 3, 2]), 2.5);
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
