/**
 * Memory samples as a small terminal chart, and the soak's verdict on them:
 * flat, or growing.
 *
 * @module
 */

/** What a series of samples did after the warm-up. */
export interface Trend {
  /** `flat` unless the fitted line rose more than the tolerance over the window. */
  verdict: "flat" | "growing";
  /** The mean of the samples after the warm-up. */
  mean: number;
  /** How much the least-squares line rises across the window, in the samples' unit. */
  rise: number;
  /** The largest rise called flat: `max(minTolerance, fraction × mean)`. */
  tolerance: number;
}

/** Options for {@linkcode trendOf}. */
export interface TrendOptions {
  /** Samples at the start to leave out: the heap grows to its working size first. Default 20%. */
  warmupFraction?: number;
  /** A rise under this share of the mean is noise. Default 0.05. */
  fraction?: number;
  /** A rise under this much is noise whatever the mean (same unit as the samples). Default 0. */
  minTolerance?: number;
}

/**
 * Fits a straight line to the samples after the warm-up (least squares) and
 * calls the series growing when that line rises more than the tolerance
 * across the window. One spike does not make a trend; a leak does.
 *
 * @example
 * ```ts
 * import { trendOf } from "./chart.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(trendOf([10, 12, 11, 10, 11, 10, 11, 10, 10, 11]).verdict, "flat");
 * assert.equal(trendOf([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]).verdict, "growing");
 * ```
 */
export function trendOf(samples: readonly number[], options: TrendOptions = {}): Trend {
  const skip = Math.floor(samples.length * (options.warmupFraction ?? 0.2));
  const window = samples.slice(skip);
  const n = window.length;
  const mean = window.reduce((a, b) => a + b, 0) / Math.max(1, n);
  const xMean = (n - 1) / 2;
  let covariance = 0, variance = 0;
  window.forEach((y, x) => {
    covariance += (x - xMean) * (y - mean);
    variance += (x - xMean) ** 2;
  });
  const slope = variance === 0 ? 0 : covariance / variance;
  const rise = slope * Math.max(0, n - 1);
  const tolerance = Math.max(options.minTolerance ?? 0, (options.fraction ?? 0.05) * mean);
  return { verdict: rise > tolerance ? "growing" : "flat", mean, rise, tolerance };
}

/** Options for {@linkcode drawChart}. */
export interface ChartOptions {
  /** Rows of the plot. Default 8. */
  height?: number;
  /** Formats a y-axis label. Default: one decimal. */
  format?: (value: number) => string;
  /** Start the y axis at zero rather than at the smallest sample. Default false. */
  fromZero?: boolean;
}

/**
 * A chart of `samples`, one column per sample, `height` rows, y-axis labels
 * on the left: what a terminal can show without a plotting library.
 *
 * @example
 * ```ts
 * import { drawChart } from "./chart.ts";
 * import assert from "node:assert/strict";
 *
 * const lines = drawChart([1, 2, 3, 4], { height: 4, format: String });
 * assert.deepEqual(lines, [
 *   "4 ┤   █",
 *   "  │  ██",
 *   "  │ ███",
 *   "1 ┤████",
 * ]);
 * ```
 */
export function drawChart(samples: readonly number[], options: ChartOptions = {}): string[] {
  const height = options.height ?? 8;
  const format = options.format ?? ((v: number) => v.toFixed(1));
  const max = Math.max(...samples);
  const min = options.fromZero ? 0 : Math.min(...samples);
  const span = max - min || 1;
  // Each column is filled up to its sample's row, counted from the bottom.
  const level = samples.map((v) => Math.round(((v - min) / span) * (height - 1)));
  const top = format(max), bottom = format(min);
  const width = Math.max(top.length, bottom.length);
  const lines: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    const label = row === height - 1 ? top : row === 0 ? bottom : "";
    const axis = row === height - 1 || row === 0 ? "┤" : "│";
    const bars = level.map((l) => (l >= row ? "█" : " ")).join("");
    lines.push(`${label.padStart(width)} ${axis}${bars}`.trimEnd());
  }
  return lines;
}
