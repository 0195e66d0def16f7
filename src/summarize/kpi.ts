// KPI tiles. `value` is the measure over the whole (filtered) table. With `compare`, the
// current period's figure (`comparison.currentValue`) is set against the period before it,
// and the tile's headline is that figure, so the headline and the change beside it speak of
// the same thing: a tile reads
// "Revenue · March 2024 · $120k, +12% vs February $107k". The current period is the last
// complete one unless `complete_periods: false` asks for the one still running.

import { isoDate } from "../calendar.ts";
import type { KpiSpec, ReportSpec, TimeUnit } from "../config/spec.ts";
import { addBuckets, bucketStart } from "../time-buckets.ts";
import type { Column, NumberColumn } from "./columns.ts";
import { cutText } from "./cut-text.ts";
import { DefinitionProblems } from "./definition-problems.ts";
import { checkFilter, selectRows } from "./filter.ts";
import { computeMeasure, type Grouping, type ResolvedMeasure, resolveMeasure } from "./measure.ts";
import { findColumn, specError } from "./spec-error.ts";
import type { Cell, KpiValue } from "./summary.ts";

/** The date or timestamp column a tile compares periods of. */
function comparedColumn(
  compare: NonNullable<KpiSpec["compare"]>,
  columns: readonly Column[],
  spec: ReportSpec,
): NumberColumn {
  const column = findColumn(columns, compare.column, spec, compare.path);
  if (column.kind !== "number" || (column.type !== "date" && column.type !== "timestamp")) {
    throw specError(
      spec,
      compare.path,
      `compare needs a date or timestamp column, but '${column.name}' is ${column.type}.`,
    );
  }
  return column;
}

/** Computes one KPI tile of the `kpis` section at index `section`. */
export function computeKpi(
  kpi: KpiSpec,
  section: number,
  columns: readonly Column[],
  rowCount: number,
  spec: ReportSpec,
  now: Date,
): KpiValue {
  const { compare } = kpi;
  // Every mistake in the tile is reported in one run, not the first only.
  const problems = new DefinitionProblems(spec);
  const measureFound = problems.attempt(() => resolveMeasure(kpi.measure, columns, spec));
  for (const filter of kpi.filter) problems.attempt(() => checkFilter(filter, columns, spec));
  const column = compare && problems.attempt(() => comparedColumn(compare, columns, spec));
  problems.finish();
  // finish() threw unless the measure was found.
  const resolved = measureFound as ResolvedMeasure;
  // count() of the whole table is its row count: no list of a million row numbers to build.
  const rowsOnly =
    kpi.filter.length === 0 &&
    compare === undefined &&
    resolved.measure.op === "count" &&
    resolved.column === undefined &&
    resolved.checked === undefined;
  if (rowsOnly) return { section, label: kpi.label, format: kpi.format, value: rowCount };
  const rows = selectRows(columns, rowCount, kpi.filter, spec);
  const whole = (selected: Uint32Array): Cell => {
    const grouping: Grouping = { ids: new Int32Array(selected.length), count: 1 };
    return computeMeasure(resolved, selected, grouping)[0];
  };
  const measured = scalar(whole(rows));
  // min() or max() of a text column gives a value from the data: cut like any other.
  const value =
    typeof measured === "string" ? cutText(measured, spec.limits.max_text_chars) : measured;
  const tile: KpiValue = { section, label: kpi.label, format: kpi.format, value };
  if (compare === undefined || column === undefined) return tile;

  const { values, valid } = column;
  let latest = Number.NEGATIVE_INFINITY;
  for (const row of rows)
    if ((valid === null || valid[row] === 1) && values[row] > latest) latest = values[row];
  // No dates at all: nothing to compare, the tile shows its value alone.
  if (latest === Number.NEGATIVE_INFINITY) return tile;

  const { unit } = compare;
  const { current, end, previous } = comparedPeriods(latest, compare, now);
  const within = (from: number, to: number): Uint32Array =>
    rows.filter(
      (row) => (valid === null || valid[row] === 1) && values[row] >= from && values[row] < to,
    );
  const currentValue = numeric(whole(within(current, end)));
  const previousValue = numeric(whole(within(previous, current)));
  tile.comparison = periodComparison(spec, column.name, unit, {
    partial: now.getTime() < end,
    current,
    previous,
    currentValue,
    previousValue,
  });
  if (compare.sparkline === true) {
    tile.comparison.series = periodSeries(rows, column, unit, current, (from, to) =>
      numeric(whole(within(from, to))),
    );
  }
  return tile;
}

/** Most periods a KPI sparkline shows, ending with the current one. */
export const SPARKLINE_PERIODS = 24;

/** The measure per period, oldest first, from the first period with data up to `current`. */
function periodSeries(
  rows: Uint32Array,
  column: { values: Float64Array | Int32Array | number[]; valid: Uint8Array | null },
  unit: TimeUnit,
  current: number,
  measure: (from: number, to: number) => number | null,
): { period: string; value: number | null }[] {
  const { values, valid } = column;
  let earliest = Number.POSITIVE_INFINITY;
  for (const row of rows)
    if ((valid === null || valid[row] === 1) && values[row] < earliest) earliest = values[row];
  let start = Math.max(
    bucketStart(earliest, unit),
    addBuckets(current, unit, 1 - SPARKLINE_PERIODS),
  );
  const series: { period: string; value: number | null }[] = [];
  while (start <= current) {
    const next = addBuckets(start, unit, 1);
    series.push({ period: isoDate(start), value: measure(start, next) });
    start = next;
  }
  return series;
}

function scalar(cell: Cell): number | string | null {
  return typeof cell === "boolean" ? String(cell) : cell;
}

/** Period figures are compared, so only numbers count (min/max of a date gives null). */
function numeric(cell: Cell): number | null {
  return typeof cell === "number" ? cell : null;
}

/**
 * A KPI tile's comparison of two periods (starts in ms): their dates, values and the relative
 * change (null when either value is missing or the earlier one is 0). Shared by the engines.
 */
export function periodComparison(
  spec: ReportSpec,
  column: string,
  unit: TimeUnit,
  periods: {
    partial: boolean;
    current: number;
    previous: number;
    currentValue: number | null;
    previousValue: number | null;
  },
): NonNullable<KpiValue["comparison"]> {
  const { currentValue, previousValue } = periods;
  return {
    column: cutText(column, spec.limits.max_text_chars),
    unit,
    partial: periods.partial,
    current: isoDate(periods.current),
    previous: isoDate(periods.previous),
    currentValue,
    previousValue,
    change:
      currentValue === null || previousValue === null || previousValue === 0
        ? null
        : (currentValue - previousValue) / Math.abs(previousValue),
  };
}

/**
 * The periods a KPI compares (starts in ms, `end` excluded): the one holding the `latest`
 * date, or, when it is still running at `now` and complete_periods is not false, the last
 * one that has ended; and the one before it. Shared by the engines.
 */
export function comparedPeriods(
  latest: number,
  compare: { unit: TimeUnit; completePeriods?: boolean },
  now: Date,
): { current: number; end: number; previous: number } {
  const { unit } = compare;
  let current = bucketStart(latest, unit);
  let end = addBuckets(current, unit, 1);
  if (compare.completePeriods !== false && now.getTime() < end) {
    end = current;
    current = addBuckets(current, unit, -1);
  }
  return { current, end, previous: addBuckets(current, unit, -1) };
}
