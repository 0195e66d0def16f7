// Measures (count, sum, mean, min, max, median, count_distinct) per group, over selected rows.

import { assertNever } from "../assert-never.ts";
import { DAY_MS, isoDate, isoTimestamp } from "../calendar.ts";
import { isTemporal } from "../column-type.ts";
import type { Measure, ReportSpec } from "../config/spec.ts";
import type { Column, NumberColumn } from "./columns.ts";
import { sortNumbers } from "./sort-numbers.ts";
import { findColumn, specError } from "./spec-error.ts";
import type { Cell, ColumnType } from "./summary.ts";

/** Rows grouped: `ids[k]` is the group (0..count-1) of the k-th selected row. */
export interface Grouping {
  ids: Int32Array;
  count: number;
}

/** A measure checked against the table: its column (absent for `count()`) and result type. */
export interface ResolvedMeasure {
  measure: Measure;
  column?: Column;
  type: ColumnType;
}

const NUMERIC: readonly ColumnType[] = ["integer", "float"];

/** Checks that `measure` names an existing column of a type it can aggregate. */
export function resolveMeasure(
  measure: Measure,
  columns: readonly Column[],
  spec: ReportSpec,
): ResolvedMeasure {
  const { op } = measure;
  if (measure.column === undefined) {
    if (op === "count") return { measure, type: "integer" };
    throw specError(spec, measure.path, `${op}() needs a column, as in ${op}(revenue).`);
  }
  const column = findColumn(columns, measure.column, spec, measure.path);
  const refuse = (allowed: string) =>
    specError(
      spec,
      measure.path,
      `${measure.expr}: ${op} needs ${allowed} column, but '${column.name}' is ${column.type}.`,
      op === "sum" || op === "mean"
        ? "Use count(), count_distinct(), min() or max() for this column."
        : undefined,
    );
  // 64-bit ids beyond 2^53 are held as exact text: arithmetic on them would be wrong.
  const exactIds = column.kind === "category" && column.type === "integer";
  if (exactIds && (op === "sum" || op === "mean" || op === "median")) {
    throw specError(
      spec,
      measure.path,
      `${measure.expr}: '${column.name}' holds integers beyond ±2^53 (ids), kept exact as text, which ${op} cannot add up.`,
      "Use count(), count_distinct(), min() or max() for this column.",
    );
  }
  switch (op) {
    case "count":
    case "count_distinct":
      return { measure, column, type: "integer" };
    case "min":
    case "max":
      return { measure, column, type: column.type };
    case "sum":
      // Booleans sum to the number of trues and average to their share.
      if (column.type === "boolean") return { measure, column, type: "integer" };
      if (!NUMERIC.includes(column.type)) throw refuse("a numeric (or boolean)");
      return { measure, column, type: column.type };
    case "mean":
      if (!NUMERIC.includes(column.type) && column.type !== "boolean")
        throw refuse("a numeric (or boolean)");
      return { measure, column, type: "float" };
    case "median":
      if (isTemporal(column.type)) return { measure, column, type: column.type };
      if (!NUMERIC.includes(column.type)) throw refuse("a numeric, date or timestamp");
      return { measure, column, type: "float" };
    default:
      return assertNever(op, "measure op");
  }
}

/** One value per group; empty groups give 0 for counts and null for everything else (as SQL). */
export function computeMeasure(
  resolved: ResolvedMeasure,
  rows: Uint32Array,
  groups: Grouping,
): Cell[] {
  const { measure, column } = resolved;
  const { ids, count } = groups;
  if (column === undefined) {
    const counts = new Float64Array(count);
    for (let k = 0; k < rows.length; k++) counts[ids[k]]++;
    return Array.from(counts);
  }
  switch (measure.op) {
    case "count":
      return countPresent(column, rows, groups);
    case "count_distinct":
      return countDistinct(column, rows, groups);
    case "median":
      return median(column as NumberColumn, rows, groups);
    case "min":
    case "max":
    case "sum":
    case "mean":
      return column.kind === "category"
        ? categoryExtreme(column.labels, column.codes, rows, groups, measure.op === "max")
        : numberAggregate(column, measure.op, rows, groups);
    default:
      return assertNever(measure.op, "measure op");
  }
}

/** A number of a column's type as a JSON cell: ISO strings for dates, null for non-finite. */
export function numberCell(value: number, type: ColumnType): Cell {
  if (!Number.isFinite(value)) return null;
  if (type === "date") return isoDate(Math.floor(value / DAY_MS) * DAY_MS);
  if (type === "timestamp") return isoTimestamp(value);
  if (type === "boolean") return value !== 0;
  return value;
}

function present(column: Column, row: number): boolean {
  return column.kind === "category"
    ? column.codes[row] >= 0
    : column.valid === null || column.valid[row] === 1;
}

function countPresent(column: Column, rows: Uint32Array, { ids, count }: Grouping): Cell[] {
  const counts = new Float64Array(count);
  if (column.kind === "category") {
    const { codes } = column;
    for (let k = 0; k < rows.length; k++) if (codes[rows[k]] >= 0) counts[ids[k]]++;
  } else if (column.valid === null) {
    for (let k = 0; k < rows.length; k++) counts[ids[k]]++;
  } else {
    const { valid } = column;
    for (let k = 0; k < rows.length; k++) counts[ids[k]] += valid[rows[k]];
  }
  return Array.from(counts);
}

function numberAggregate(
  column: NumberColumn,
  op: string,
  rows: Uint32Array,
  { ids, count }: Grouping,
): Cell[] {
  const { values, valid } = column;
  const n = new Float64Array(count);
  const acc = new Float64Array(count).fill(op === "min" ? Infinity : op === "max" ? -Infinity : 0);
  // One loop per op: this runs over every selected row.
  if (op === "min") {
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k];
      if (valid !== null && valid[row] === 0) continue;
      const g = ids[k];
      n[g]++;
      if (values[row] < acc[g]) acc[g] = values[row];
    }
  } else if (op === "max") {
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k];
      if (valid !== null && valid[row] === 0) continue;
      const g = ids[k];
      n[g]++;
      if (values[row] > acc[g]) acc[g] = values[row];
    }
  } else {
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k];
      if (valid !== null && valid[row] === 0) continue;
      const g = ids[k];
      n[g]++;
      acc[g] += values[row];
    }
  }
  const type =
    op === "mean" ? "float" : op === "sum" && column.type === "boolean" ? "integer" : column.type;
  return Array.from(acc, (v, g) =>
    n[g] === 0 ? null : numberCell(op === "mean" ? v / n[g] : v, type),
  );
}

/** min/max of strings by code-unit order, through each label's rank. */
function categoryExtreme(
  labels: string[],
  codes: Int32Array,
  rows: Uint32Array,
  { ids, count }: Grouping,
  max: boolean,
): Cell[] {
  const order = labels
    .map((_, i) => i)
    .sort((a, b) => (labels[a] < labels[b] ? -1 : labels[a] > labels[b] ? 1 : 0));
  const rank = new Int32Array(labels.length);
  order.forEach((code, r) => {
    rank[code] = r;
  });
  const best = new Int32Array(count).fill(-1);
  for (let k = 0; k < rows.length; k++) {
    const code = codes[rows[k]];
    if (code < 0) continue;
    const g = ids[k];
    const r = rank[code];
    if (best[g] < 0 || (max ? r > best[g] : r < best[g])) best[g] = r;
  }
  return Array.from(best, (r) => (r < 0 ? null : labels[order[r]]));
}

/** Positions 0..rows-1 ordered by group (a counting sort): group g is order[starts[g]..starts[g+1]). */
function byGroup({ ids, count }: Grouping): { order: Uint32Array; starts: Int32Array } {
  const starts = new Int32Array(count + 1);
  for (let k = 0; k < ids.length; k++) starts[ids[k] + 1]++;
  for (let g = 0; g < count; g++) starts[g + 1] += starts[g];
  const next = starts.slice(0, count);
  const order = new Uint32Array(ids.length);
  for (let k = 0; k < ids.length; k++) order[next[ids[k]]++] = k;
  return { order, starts };
}

/** The present values of each group, ascending. */
function groupValues(
  column: NumberColumn,
  rows: Uint32Array,
  groups: Grouping,
  visit: (g: number, sorted: Float64Array) => void,
): void {
  const { order, starts } = byGroup(groups);
  const buffer = new Float64Array(rows.length);
  for (let g = 0; g < groups.count; g++) {
    let n = 0;
    for (let p = starts[g]; p < starts[g + 1]; p++) {
      const row = rows[order[p]];
      if (present(column, row)) buffer[n++] = column.values[row];
    }
    visit(g, sortNumbers(buffer.subarray(0, n)));
  }
}

function median(column: NumberColumn, rows: Uint32Array, groups: Grouping): Cell[] {
  const out = new Array<Cell>(groups.count).fill(null);
  const type = column.type === "date" || column.type === "timestamp" ? column.type : "float";
  groupValues(column, rows, groups, (g, sorted) => {
    const n = sorted.length;
    if (n === 0) return;
    const middle = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    out[g] = numberCell(middle, type);
  });
  return out;
}

function countDistinct(column: Column, rows: Uint32Array, groups: Grouping): Cell[] {
  const out = new Array<number>(groups.count).fill(0);
  if (column.kind === "number") {
    groupValues(column, rows, groups, (g, sorted) => {
      let distinct = sorted.length > 0 ? 1 : 0;
      for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
      out[g] = distinct;
    });
    return out;
  }
  // Marks each label with the last group that counted it; groups are visited one at a time.
  const { order, starts } = byGroup(groups);
  const seen = new Int32Array(column.labels.length).fill(-1);
  for (let g = 0; g < groups.count; g++) {
    for (let p = starts[g]; p < starts[g + 1]; p++) {
      const code = column.codes[rows[order[p]]];
      if (code >= 0 && seen[code] !== g) {
        seen[code] = g;
        out[g]++;
      }
    }
  }
  return out;
}
