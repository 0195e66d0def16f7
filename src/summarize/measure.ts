// Measures per group, over selected rows: a plain aggregate of a column (count, sum, mean,
// min, max, median, count_distinct) runs straight over the column; any other measure
// expression (`sum(x) / count()`, `sum(case when returned then 1 else 0 end)`) evaluates each
// aggregate's argument column-wise, aggregates it the same way, then the arithmetic around.

import { assertNever } from "../assert-never.ts";
import { DAY_MS, isoDate, isoTimestamp } from "../calendar.ts";
import { isTemporal } from "../column-type.ts";
import type { Measure, MeasureOp, ReportSpec } from "../config/spec.ts";
import type { AggregateFunction, Expr } from "../expr/ast.ts";
import { type Checked, checkExpr } from "../expr/check.ts";
import { ExprError } from "../expr/error.ts";
import { evaluate, type Frame } from "../expr/eval.ts";
import { numberVector, textVector, type Vector } from "../expr/vector.ts";
import { parseIso } from "../time-buckets.ts";
import type { Column, NumberColumn } from "./columns.ts";
import { tableFrame } from "./filter.ts";
import { sortNumbers } from "./sort-numbers.ts";
import { columnInfos, exprError, findColumn, specError } from "./spec-error.ts";
import type { Cell, ColumnType } from "./summary.ts";

/** Rows grouped: `ids[k]` is the group (0..count-1) of the k-th selected row. */
export interface Grouping {
  ids: Int32Array;
  count: number;
}

/**
 * A measure checked against the table: a plain aggregate of a column (`sum(revenue)`) keeps its
 * column; any other expression (`sum(x) / count()`) keeps its checked tree.
 */
export interface ResolvedMeasure {
  measure: Measure;
  column?: Column;
  type: ColumnType;
  /** The checked expression, for measures that are not one plain aggregate. */
  checked?: Checked;
  /** The table's columns, which an expression's aggregates read. */
  columns?: readonly Column[];
  /**
   * Each aggregate's argument over the whole table, evaluated once: a KPI runs its measure
   * again per period, and the argument does not depend on which rows are selected.
   */
  args?: Map<Expr, Column>;
}

const NUMERIC: readonly ColumnType[] = ["integer", "float"];

/** Checks that `measure` names existing columns of types it can aggregate. */
export function resolveMeasure(
  measure: Measure,
  columns: readonly Column[],
  spec: ReportSpec,
): ResolvedMeasure {
  const { op } = measure;
  if (op === undefined) {
    try {
      const checked = checkExpr(measure.ast, columnInfos(columns), "aggregate");
      const type = checked.type === "null" ? "float" : checked.type;
      return { measure, type, checked, columns, args: new Map() };
    } catch (error) {
      if (error instanceof ExprError) throw exprError(spec, measure.path, measure.expr, error);
      throw error;
    }
  }
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
  const type = aggregateType(op, column.type);
  if (type === undefined) {
    throw refuse(op === "median" ? "a numeric, date or timestamp" : "a numeric (or boolean)");
  }
  return { measure, column, type };
}

/** The result type of `op` over a column of `type`; undefined when `op` cannot take it. */
function aggregateType(op: AggregateOp, type: ColumnType): ColumnType | undefined {
  switch (op) {
    case "count":
    case "count_distinct":
      return "integer";
    case "min":
    case "max":
      return type;
    case "sum":
      // Booleans sum to the number of trues and average to their share.
      if (type === "boolean") return "integer";
      return NUMERIC.includes(type) ? type : undefined;
    case "mean":
    case "stddev":
      return NUMERIC.includes(type) || type === "boolean" ? "float" : undefined;
    case "median":
      if (isTemporal(type)) return type;
      return NUMERIC.includes(type) ? "float" : undefined;
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
  const { measure, column, checked, columns } = resolved;
  if (checked !== undefined)
    return computeExpression(checked, columns ?? [], rows, groups, resolved.args ?? new Map());
  if (measure.op === undefined) throw new Error(`measure ${measure.name} was not resolved`);
  return aggregate(measure.op, column, rows, groups);
}

/** Aggregations: the measure ops and stddev, which only expressions reach. */
type AggregateOp = MeasureOp | "stddev";

/** The aggregate of each call name (avg is mean). */
const AGGREGATE_OPS: Record<AggregateFunction, AggregateOp> = {
  count: "count",
  count_distinct: "count_distinct",
  sum: "sum",
  avg: "mean",
  min: "min",
  max: "max",
  median: "median",
  stddev: "stddev",
};

/**
 * A measure expression per group: each aggregate call's argument is evaluated over the rows
 * (src/expr/eval.ts), aggregated per group, and the arithmetic around the calls evaluated
 * over the groups.
 */
function computeExpression(
  checked: Checked,
  columns: readonly Column[],
  rows: Uint32Array,
  groups: Grouping,
  args: Map<Expr, Column>,
): Cell[] {
  const rowFrame = tableFrame(columns, columns[0] === undefined ? 0 : columnLength(columns[0]));
  const groupFrame: Frame = {
    length: groups.count,
    column: (name) => {
      throw new Error(`column '${name}' outside an aggregate passed the type check`);
    },
    aggregate: (call, arg) => {
      const type = checked.types.get(call) ?? "float";
      const cellType: ColumnType = type === "null" ? "float" : type;
      const op = AGGREGATE_OPS[call.name as AggregateFunction];
      let column = args.get(call);
      if (column === undefined && arg !== undefined) {
        column = asColumn(arg(rowFrame));
        args.set(call, column);
      }
      return cellsToVector(aggregate(op, column, rows, groups), cellType);
    },
  };
  const result = evaluate(checked, groupFrame);
  const type: ColumnType = checked.type === "null" ? "float" : checked.type;
  return Array.from({ length: groups.count }, (_, g) => vectorCell(result, type, g));
}

function columnLength(column: Column): number {
  return column.kind === "category" ? column.codes.length : column.values.length;
}

/** A vector as a column of no name (the aggregations read only its values). */
function asColumn(v: Vector): Column {
  if (v.kind === "category") return { ...v, name: "", missing: 0 };
  return { ...v, name: "", missing: 0, infinite: 0 };
}

/** Per-group cells back into a vector, for the arithmetic around aggregates. */
function cellsToVector(cells: Cell[], type: ColumnType): Vector {
  if (type === "string")
    return textVector(cells.length, (g) => (cells[g] === null ? null : String(cells[g])));
  return numberVector(type, cells.length, (g) => {
    const cell = cells[g];
    if (cell === null) return null;
    if (typeof cell === "boolean") return cell ? 1 : 0;
    if (typeof cell === "string") return parseIso(cell) ?? null;
    return cell;
  });
}

function vectorCell(v: Vector, type: ColumnType, i: number): Cell {
  if (v.kind === "category") return v.codes[i] < 0 ? null : v.labels[v.codes[i]];
  if (v.valid !== null && v.valid[i] === 0) return null;
  return numberCell(v.values[i], type);
}

/** `op` over `column` (count() when absent) per group. */
function aggregate(
  op: AggregateOp,
  column: Column | undefined,
  rows: Uint32Array,
  groups: Grouping,
): Cell[] {
  const { ids, count } = groups;
  if (column === undefined) {
    const counts = new Float64Array(count);
    for (let k = 0; k < rows.length; k++) counts[ids[k]]++;
    return Array.from(counts);
  }
  switch (op) {
    case "count":
      return countPresent(column, rows, groups);
    case "count_distinct":
      return countDistinct(column, rows, groups);
    case "median":
      return median(column as NumberColumn, rows, groups);
    case "stddev":
      return stddev(column as NumberColumn, rows, groups);
    case "min":
    case "max":
    case "sum":
    case "mean":
      return column.kind === "category"
        ? categoryExtreme(column.labels, column.codes, rows, groups, op === "max")
        : numberAggregate(column, op, rows, groups);
    default:
      return assertNever(op, "measure op");
  }
}

/** Sample standard deviation per group (n - 1); null for fewer than two values. */
function stddev(column: NumberColumn, rows: Uint32Array, { ids, count }: Grouping): Cell[] {
  const n = new Float64Array(count);
  const mean = new Float64Array(count);
  const m2 = new Float64Array(count);
  const { values, valid } = column;
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k];
    if (valid !== null && valid[row] === 0) continue;
    // Welford's update: stable for values far from zero.
    const g = ids[k];
    n[g]++;
    const delta = values[row] - mean[g];
    mean[g] += delta / n[g];
    m2[g] += delta * (values[row] - mean[g]);
  }
  return Array.from(n, (c, g) => (c < 2 ? null : Math.sqrt(m2[g] / (c - 1))));
}

/** A number of a column's type as a JSON cell: ISO strings for dates, null for non-finite. */
export function numberCell(value: number, type: ColumnType): Cell {
  if (!Number.isFinite(value)) return null;
  if (type === "date") return isoDate(Math.floor(value / DAY_MS) * DAY_MS);
  if (type === "timestamp") return isoTimestamp(value);
  if (type === "boolean") return value !== 0;
  return value;
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
  const { values, valid } = column;
  for (let g = 0; g < groups.count; g++) {
    let n = 0;
    for (let p = starts[g]; p < starts[g + 1]; p++) {
      const row = rows[order[p]];
      if (valid === null || valid[row] === 1) buffer[n++] = values[row];
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
