// Per-column profile: counts, exact quantiles, moments, histogram and top values.

import { DAY_MS, isoDate, isoTimestamp } from "../calendar.ts";
import { isTemporal } from "../column-type.ts";
import type { CategoryColumn, Column, NumberColumn } from "./columns.ts";
import { cutText } from "./cut-text.ts";
import {
  lowerBound,
  shapedHistogram,
  timeHistogram,
  timeUnitFor,
  upperBound,
} from "./histogram.ts";
import { distinctSorted, moments, quantileSorted } from "./quantiles.ts";
import { sortNumbers } from "./sort-numbers.ts";
import type { ColumnProfile, Quantiles, TopValue } from "./summary.ts";

/** How many most frequent values a profile lists. */
export const TOP_VALUES = 10;

/** A profile plus the figures alerts need that summary.json does not carry. */
export interface ColumnStats {
  profile: ColumnProfile;
  /** Sample skewness of a numeric column; absent for other types or fewer than 3 values. */
  skewness?: number;
}

/**
 * Room to sort one column's values, reused from column to column: a million rows need 16 MB
 * each time, which would otherwise be garbage after every column.
 */
export class SortBuffers {
  private values = new Float64Array(0);
  private scratch = new Uint32Array(0);

  /** A Float64Array of `length` (contents unspecified) and a radix scratch to match. */
  take(length: number): { values: Float64Array; scratch: Uint32Array } {
    if (this.values.length < length) {
      this.values = new Float64Array(length);
      this.scratch = new Uint32Array(2 * length);
    }
    return { values: this.values.subarray(0, length), scratch: this.scratch };
  }
}

/**
 * Profiles one column. Missing (null, NaN, ±Infinity) values are left out of every figure.
 * Its name and top values are cut to `maxText` code points (max_text_chars). `buffers`, shared
 * by the columns of one table, saves allocating the sort's room per column.
 */
export function profileColumn(
  column: Column,
  maxText: number,
  buffers = new SortBuffers(),
): ColumnStats {
  const stats =
    column.kind === "category"
      ? { profile: profileCategories(column) }
      : profileNumbers(column, buffers);
  const { profile } = stats;
  profile.name = cutText(profile.name, maxText);
  if (profile.top !== undefined) {
    for (const top of profile.top) top.value = cutText(top.value, maxText);
  }
  return stats;
}

/**
 * The non-missing values of a number column, ascending: in `buffers`' room when given (valid
 * until its next use), else in a new array.
 */
export function sortedValues(column: NumberColumn, buffers?: SortBuffers): Float64Array {
  const count = presentCount(column);
  const room = buffers?.take(count);
  const out = room?.values ?? new Float64Array(count);
  if (column.present !== undefined) column.present.copyTo(out);
  else {
    const { values, valid } = column;
    if (valid === null) out.set(values);
    else {
      let k = 0;
      for (let i = 0; i < values.length; i++) if (valid[i] === 1) out[k++] = values[i];
    }
  }
  return sortNumbers(out, room?.scratch);
}

/** How many values of `column` are present, without building its `values` when it need not. */
function presentCount(column: NumberColumn): number {
  return column.present?.count ?? column.values.length - column.missing;
}

function profileNumbers(column: NumberColumn, buffers: SortBuffers): ColumnStats {
  const count = presentCount(column);
  const profile: ColumnProfile = {
    name: column.name,
    type: column.type,
    count,
    missing: column.missing,
    distinct: 0,
  };
  if (column.infinite > 0) profile.infinite = column.infinite;
  if (count === 0) return { profile };
  const sorted = sortedValues(column, buffers);
  profile.distinct = distinctSorted(sorted);
  if (column.type === "boolean") {
    let trues = 0;
    for (let i = 0; i < sorted.length; i++) trues += sorted[i];
    profile.top = topOf([
      { value: "true", count: trues },
      { value: "false", count: count - trues },
    ]);
    return { profile };
  }
  if (isTemporal(column.type)) {
    // Interpolated quantiles of a date column fall between days; they are floored to the day.
    const format =
      column.type === "date"
        ? (ms: number) => isoDate(Math.floor(ms / DAY_MS) * DAY_MS)
        : isoTimestamp;
    profile.min = format(sorted[0]);
    profile.max = format(sorted[count - 1]);
    profile.quantiles = quantilesOf(sorted, format);
    const unit = timeUnitFor(sorted[0], sorted[count - 1], column.type === "timestamp");
    profile.histogramUnit = unit;
    profile.histogram = timeHistogram(sorted, unit);
    return { profile };
  }
  const { mean, std, skewness } = moments(sorted);
  profile.min = sorted[0];
  profile.max = sorted[count - 1];
  profile.mean = mean;
  if (Number.isFinite(std)) profile.std = std;
  profile.quantiles = quantilesOf(sorted, (v) => v);
  // -0 and 0 sit together in ascending order: the zeros lie between two binary searches.
  profile.zeros = upperBound(sorted, 0) - lowerBound(sorted, 0);
  const shaped = shapedHistogram(sorted, column.type === "integer");
  profile.histogram = shaped.bins;
  profile.histogramScale = shaped.scale;
  profile.histogramBelow = shaped.below;
  profile.histogramAbove = shaped.above;
  return Number.isFinite(skewness) ? { profile, skewness } : { profile };
}

function quantilesOf<T extends number | string>(
  sorted: Float64Array,
  format: (v: number) => T,
): Quantiles {
  return {
    p5: format(quantileSorted(sorted, 0.05)),
    p25: format(quantileSorted(sorted, 0.25)),
    p50: format(quantileSorted(sorted, 0.5)),
    p75: format(quantileSorted(sorted, 0.75)),
    p95: format(quantileSorted(sorted, 0.95)),
  };
}

function profileCategories(column: CategoryColumn): ColumnProfile {
  const counts = column.labelCounts ?? codeCounts(column);
  const values: TopValue[] = [];
  for (let c = 0; c < counts.length; c++) {
    if (counts[c] > 0) values.push({ value: column.labels[c], count: counts[c] });
  }
  let count = 0;
  for (let c = 0; c < counts.length; c++) count += counts[c];
  return {
    name: column.name,
    type: column.type,
    count,
    missing: column.missing,
    distinct: values.length,
    top: topOf(values),
  };
}

/** Rows per label of a category column, from its codes. */
function codeCounts(column: CategoryColumn): Int32Array {
  const counts = new Int32Array(column.labels.length);
  const { codes } = column;
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) counts[codes[i]]++;
  return counts;
}

/** The TOP_VALUES most frequent, by count descending then value ascending; zero counts dropped. */
function topOf(values: TopValue[]): TopValue[] {
  return values
    .filter((v) => v.count > 0)
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, TOP_VALUES);
}
