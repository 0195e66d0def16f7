// Histograms: numbers on "nice" 1-2-5 boundaries, dates and timestamps by calendar unit.
// A numeric histogram is shaped to show the data (shapedHistogram): a few outliers must not
// squeeze every row into one bar, so the range stops at robust fences (outliers counted, not
// drawn) or, for positive heavy-tailed data, the bins grow by equal ratios on a log scale.

import { isoDate, isoTimestamp } from "../calendar.ts";
import { addBuckets, type BucketUnit, bucketStart } from "../time-buckets.ts";
import { type HistogramScale, TIME_UNITS } from "../vocabulary.ts";
import { quantileSorted } from "./quantiles.ts";
import type { HistogramBin } from "./summary.ts";

/** Bins a numeric histogram aims for. */
export const HISTOGRAM_BINS = 20;
/** Most bins a time histogram may have before a coarser unit is used. */
export const MAX_TIME_BINS = 60;

/** A step of 1, 2 or 5 × 10^k close to `span / bins` (at least 1 for integers). */
export function niceStep(span: number, bins: number, integer: boolean): number {
  const raw = span / bins;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
  return integer ? Math.max(1, Math.round(step)) : step;
}

/** Rounds away binary noise (0.30000000000000004) from a boundary that is a multiple of `step`. */
function clean(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return decimals > 15 ? value : Number(value.toFixed(decimals));
}

/** Histogram of ascending `sorted` (non-empty) on nice boundaries: [start, end), last bin closed. */
export function numberHistogram(
  sorted: Float64Array,
  integer: boolean,
  bins = HISTOGRAM_BINS,
): HistogramBin[] {
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  // One bin when there is no spread, or when the span overflows (±1e308 data).
  if (min === max || !Number.isFinite(max - min)) {
    return [{ start: min, end: max, count: sorted.length }];
  }
  const step = niceStep(max - min, bins, integer);
  let first = Math.floor(min / step);
  // Binary noise (0.3 / 0.1 = 2.9999…) must not open with an empty bin below min.
  if (clean((first + 1) * step, step) <= min) first++;
  // Integers: every bin half-open, so the last edge lies above max and the top value gets
  // its own bin (a 1–5 rating shows five bars, not four).
  let count = integer ? Math.floor(max / step) - first + 1 : Math.ceil(max / step) - first;
  if (count < 1) count = 1;
  const edges: number[] = [];
  for (let i = 0; i <= count; i++) edges.push(clean((first + i) * step, step));
  // Rounding may leave max just above the last edge; extend by one bin then.
  if (edges[count] < max) {
    edges.push(clean((first + count + 1) * step, step));
    count++;
  }
  return countBins(sorted, 0, sorted.length, edges);
}

/** The finest unit that spans [min, max] in at most MAX_TIME_BINS buckets. */
export function timeUnitFor(min: number, max: number, allowHours: boolean): BucketUnit {
  // TIME_UNITS runs from the finest unit to the coarsest.
  const units: readonly BucketUnit[] = allowHours ? ["hour", ...TIME_UNITS] : TIME_UNITS;
  for (const unit of units) {
    if (bucketCount(min, max, unit) <= MAX_TIME_BINS) return unit;
  }
  return "year";
}

function bucketCount(min: number, max: number, unit: BucketUnit): number {
  const last = bucketStart(max, unit);
  let start = bucketStart(min, unit);
  let n = 1;
  while (start < last && n <= MAX_TIME_BINS) {
    start = addBuckets(start, unit, 1);
    n++;
  }
  return n;
}

/**
 * Histogram of ascending epoch-ms `sorted` (non-empty) by calendar `unit`, empty buckets
 * included. Bounds are ISO dates, or full ISO timestamps for hours.
 */
export function timeHistogram(sorted: Float64Array, unit: BucketUnit): HistogramBin[] {
  const format = unit === "hour" ? isoTimestamp : isoDate;
  const bins: HistogramBin[] = [];
  let start = bucketStart(sorted[0], unit);
  let end = addBuckets(start, unit, 1);
  // Each bucket's first value by binary search: `sorted` is ascending.
  let from = 0;
  for (;;) {
    const next = lowerBound(sorted, end, from);
    if (next === sorted.length) break;
    bins.push({ start: format(start), end: format(end), count: next - from });
    from = next;
    start = end;
    end = addBuckets(start, unit, 1);
  }
  bins.push({ start: format(start), end: format(end), count: sorted.length - from });
  return bins;
}

/** How a numeric histogram chooses what it draws; the definition's `scale:` and `range:`. */
export interface HistogramChoice {
  bins?: number;
  scale?: HistogramScale;
  /** Only values within [lo, hi] are drawn; the rest are counted below and above. */
  range?: readonly [number, number];
}

/** A numeric histogram as drawn: its bins, its scale, and the values left out of the bins. */
export interface ShapedHistogram {
  bins: HistogramBin[];
  scale: "linear" | "log";
  /** Values below the first bin's start (not drawn). */
  below: number;
  /** Values above the last bin's end (not drawn). */
  above: number;
}

/** Tukey's far-out fence multiplier: a range of [Q1 - 3·IQR, Q3 + 3·IQR] keeps the body. */
export const FENCE = 3;
/** Positive data whose 99th percentile is this many times its median count as heavy-tailed. */
export const HEAVY_TAIL_RATIO = 10;

/**
 * Histogram of ascending `sorted` (non-empty) shaped to show the data: a log scale for positive
 * heavy-tailed data, else a linear range cut at Tukey's far-out fences, so a few outliers do
 * not squeeze the body into one bar. Values outside are counted in `below` and `above`.
 */
export function shapedHistogram(
  sorted: Float64Array,
  integer: boolean,
  choice: HistogramChoice = {},
): ShapedHistogram {
  const bins = choice.bins ?? HISTOGRAM_BINS;
  const n = sorted.length;
  const scale =
    choice.scale === undefined || choice.scale === "auto"
      ? autoScale(sorted, integer, choice.range)
      : choice.scale;
  let lo: number;
  let hi: number;
  if (choice.range !== undefined) [lo, hi] = choice.range;
  else if (scale === "log") {
    lo = firstPositive(sorted);
    hi = sorted[n - 1];
  } else [lo, hi] = fencedRange(sorted);
  if (scale === "log") lo = Math.max(lo, firstPositive(sorted));
  const from = lowerBound(sorted, lo);
  const to = upperBound(sorted, hi);
  // Nothing in range (a range beside the data, or log of non-positive data): one empty bin.
  if (from >= to) {
    if (!Number.isFinite(lo)) lo = hi;
    return {
      bins: [{ start: lo, end: hi, count: 0 }],
      scale: "linear",
      below: from,
      above: n - to,
    };
  }
  const inside = sorted.subarray(from, to);
  const edges = binEdges(
    scale === "log" ? logHistogram(inside, bins) : numberHistogram(inside, integer, bins),
  );
  // The nice edges reach past [lo, hi]: every value between them is drawn, so the counts
  // below and above are of the values outside the bars a reader sees.
  const first = lowerBound(sorted, edges[0]);
  // Integer bins are half-open to the last edge too; other histograms close their last bin.
  const last = edges[edges.length - 1];
  // (A single bin of one repeated value is closed: [v, v].)
  const halfOpen = integer && scale === "linear" && last > edges[0];
  const end = halfOpen ? lowerBound(sorted, last) : upperBound(sorted, last);
  return { bins: countBins(sorted, first, end, edges), scale, below: first, above: n - end };
}

function binEdges(bins: HistogramBin[]): number[] {
  return [...bins.map((bin) => Number(bin.start)), Number(bins[bins.length - 1].end)];
}

/**
 * Counts sorted[from..to) into the bins between `edges`: a value goes in the last bin whose
 * start (and every start before it) it reaches, the first bin taking what lies below and the
 * last what lies above. `sorted` is ascending, so each bin's first value is found by binary
 * search, not by walking a million values.
 */
function countBins(
  sorted: Float64Array,
  from: number,
  to: number,
  edges: number[],
): HistogramBin[] {
  const count = edges.length - 1;
  const counts = new Array<number>(count).fill(0);
  // The value a row must reach to pass bin b's start: the highest of edges[1..b].
  let reach = Number.NEGATIVE_INFINITY;
  let start = from;
  for (let bin = 0; bin < count - 1; bin++) {
    reach = Math.max(reach, edges[bin + 1]);
    // NaN passes no comparison: the rows stay in this bin to the end.
    const next = Number.isNaN(reach) ? to : lowerBound(sorted, reach, start, to);
    counts[bin] = next - start;
    start = next;
  }
  counts[count - 1] = to - start;
  return counts.map((c, i) => ({ start: edges[i], end: edges[i + 1], count: c }));
}

/** Log when every value is positive and the top percent lies far above the median. */
function autoScale(
  sorted: Float64Array,
  integer: boolean,
  range: readonly [number, number] | undefined,
): "linear" | "log" {
  if (range !== undefined || sorted[0] <= 0) return "linear";
  const p50 = quantileSorted(sorted, 0.5);
  const p99 = quantileSorted(sorted, 0.99);
  // Small integers (1, 2, 3 …) have no room between log bins: they keep a linear range.
  if (integer && quantileSorted(sorted, 0.05) < 10) return "linear";
  return p99 / p50 >= HEAVY_TAIL_RATIO ? "log" : "linear";
}

/** [min, max] narrowed to Tukey's far-out fences; the whole span when the quartiles coincide. */
function fencedRange(sorted: Float64Array): [number, number] {
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const iqr = q3 - q1;
  if (!(iqr > 0) || !Number.isFinite(iqr)) return [min, max];
  return [Math.max(min, q1 - FENCE * iqr), Math.min(max, q3 + FENCE * iqr)];
}

function firstPositive(sorted: Float64Array): number {
  const i = upperBound(sorted, 0);
  return i < sorted.length ? sorted[i] : Number.POSITIVE_INFINITY;
}

/** First index whose value is >= `x` (within [lo, hi), default the whole array). */
export function lowerBound(sorted: Float64Array, x: number, lo = 0, hi = sorted.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > `x`. */
export function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Log-bin widths in decades: the one nearest `raw` by ratio, so the count stays near `bins`. */
const LOG_STEPS = [0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100] as const;
function logStep(raw: number): number {
  let best: number = LOG_STEPS[0];
  for (const step of LOG_STEPS)
    if (Math.abs(Math.log(step / raw)) < Math.abs(Math.log(best / raw))) best = step;
  return best;
}

/** Bins of equal ratio on positive ascending `sorted`: edges at 10^(k·step), step a nice decade share. */
function logHistogram(sorted: Float64Array, bins: number): HistogramBin[] {
  const logMin = Math.log10(sorted[0]);
  const logMax = Math.log10(sorted[sorted.length - 1]);
  if (logMax === logMin) return [{ start: sorted[0], end: sorted[0], count: sorted.length }];
  const step = logStep((logMax - logMin) / bins);
  const first = Math.floor(logMin / step);
  let count = Math.max(1, Math.ceil(logMax / step) - first);
  const edge = (k: number) => Number((10 ** ((first + k) * step)).toPrecision(3));
  const edges: number[] = [];
  for (let i = 0; i <= count; i++) edges.push(edge(i));
  while (edges[count] < sorted[sorted.length - 1]) {
    count++;
    edges.push(edge(count));
  }
  return countBins(sorted, 0, sorted.length, edges);
}
