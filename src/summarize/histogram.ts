// Histograms: numbers on "nice" 1-2-5 boundaries, dates and timestamps by calendar unit.

import { isoDate, isoTimestamp } from "../calendar.ts";
import { TIME_UNITS } from "../vocabulary.ts";
import type { HistogramBin } from "./summary.ts";
import { addBuckets, type BucketUnit, bucketStart } from "./time.ts";

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
  const counts = new Array<number>(count).fill(0);
  // `sorted` is ascending, so one walk along the edges bins every value.
  let bin = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i];
    while (bin < count - 1 && v >= edges[bin + 1]) bin++;
    counts[bin]++;
  }
  return counts.map((c, i) => ({ start: edges[i], end: edges[i + 1], count: c }));
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
  let count = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i];
    while (v >= end) {
      bins.push({ start: format(start), end: format(end), count });
      start = end;
      end = addBuckets(start, unit, 1);
      count = 0;
    }
    count++;
  }
  bins.push({ start: format(start), end: format(end), count });
  return bins;
}
