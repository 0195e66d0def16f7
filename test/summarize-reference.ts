// Naive references for the summarize tests: plain JS arrays, sort-based quantiles by the
// textbook type-7 formula, two-pass std, Map-based group-by, and calendar buckets through
// Date. Written independently of src/summarize; speed does not matter here.

import {
  type Data,
  type DataType,
  Dictionary,
  Int32,
  makeData,
  makeVector,
  Table,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import type {
  FieldPath,
  Filter,
  FilterOp,
  GroupKey,
  Measure,
  MeasureOp,
  QuerySpec,
  ReportSpec,
  Scalar,
  SectionSpec,
  SourceLocation,
  TimeUnit,
} from "../src/config/spec.ts";
import { parseExpr } from "../src/expr/parse.ts";
import { quoteIdentifier, quoteString } from "../src/expr/to-sql.ts";
import { limitsFromEnv } from "../src/limits.ts";
import type { Cell, ColumnType } from "../src/summarize/summary.ts";

/** A value in a reference column: dates and timestamps as epoch ms. */
export type Value = number | string | boolean | null;

export interface RefColumn {
  name: string;
  type: ColumnType;
  values: Value[];
}

export const isMissing = (v: Value): boolean =>
  v === null || (typeof v === "number" && !Number.isFinite(v));

/** Validity bitmap (LSB first) for `values`, or undefined when nothing is null. */
export function bitmapOf(values: readonly unknown[]): Uint8Array | undefined {
  if (!values.includes(null)) return undefined;
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v !== null) bits[i >> 3] |= 1 << (i & 7);
  });
  return bits;
}

/** The makeData props shared by every fixed-width type; its overloads are typed per DataType. */
type FixedProps = {
  type: DataType;
  length: number;
  nullCount: number;
  nullBitmap?: Uint8Array;
  data: unknown;
};

/** A vector of fixed-width `type` from numbers (or bigints) through makeData, nulls as bitmap. */
export function fixedVector(
  type: DataType,
  values: readonly (number | bigint | null)[],
  ArrayType: new (length: number) => { [i: number]: number | bigint },
): Vector {
  const data = new ArrayType(values.length);
  values.forEach((v, i) => {
    if (v !== null) data[i] = v;
  });
  const nullBitmap = bitmapOf(values);
  const nullCount = values.filter((v) => v === null).length;
  const make = makeData as unknown as (props: FixedProps) => Data;
  return makeVector(make({ type, length: values.length, nullCount, nullBitmap, data }));
}

/** A Dictionary(Utf8, Int32) vector from strings. */
export function dictionaryVector(values: readonly (string | null)[]): Vector {
  return vectorFromArray(values as (string | null)[], new Dictionary(new Utf8(), new Int32()));
}

/** A Table from named vectors. */
export function tableOf(vectors: Record<string, Vector>): Table {
  return new Table(vectors);
}

// ---------------------------------------------------------------------------------------
// Statistics

export function quantile7(values: readonly number[], p: number): number {
  const x = [...values].sort((a, b) => a - b);
  const h = (x.length - 1) * p;
  const j = Math.floor(h);
  const g = h - j;
  return j + 1 < x.length ? x[j] + g * (x[j + 1] - x[j]) : x[j];
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function sampleStd(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** pandas' adjusted Fisher-Pearson skewness. */
export function skewness(values: readonly number[]): number {
  const n = values.length;
  const m = mean(values);
  const m2 = values.reduce((a, v) => a + (v - m) ** 2, 0) / n;
  const m3 = values.reduce((a, v) => a + (v - m) ** 3, 0) / n;
  return ((Math.sqrt(n * (n - 1)) / (n - 2)) * m3) / m2 ** 1.5;
}

/** Top values by count desc, then value asc (code-unit order). */
export function topValues(values: readonly string[], k = 10): { value: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .slice(0, k);
}

export function closeTo(actual: unknown, expected: number, what: string, tolerance = 1e-9): void {
  if (
    typeof actual !== "number" ||
    Math.abs(actual - expected) > tolerance * Math.max(1, Math.abs(expected))
  ) {
    throw new Error(`${what}: expected ${expected}, got ${String(actual)}`);
  }
}

// ---------------------------------------------------------------------------------------
// Calendar, through Date

export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export function refBucket(ms: number, unit: TimeUnit): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (unit) {
    case "day":
      return Date.UTC(y, m, day);
    case "week":
      return Date.UTC(y, m, day - ((d.getUTCDay() + 6) % 7));
    case "month":
      return Date.UTC(y, m, 1);
    case "quarter":
      return Date.UTC(y, m - (m % 3), 1);
    case "year":
      return Date.UTC(y, 0, 1);
  }
}

// ---------------------------------------------------------------------------------------
// Queries

function cellOf(v: Value, type: ColumnType): Cell {
  if (isMissing(v)) return null;
  if (type === "date") return isoDay(v as number);
  if (type === "timestamp") return new Date(v as number).toISOString();
  return v;
}

function passes(v: Value, filter: RefFilter, type: ColumnType): boolean {
  if (filter.op === "is null") return isMissing(v);
  if (filter.op === "is not null") return !isMissing(v);
  if (isMissing(v)) return false;
  const convert = (x: string | number | boolean): Value => {
    if (type === "date" || type === "timestamp")
      return Date.parse(String(x).length === 10 ? `${x}T00:00:00Z` : String(x));
    if (type === "string") return String(x);
    if (type === "boolean") return x === true || x === "true" ? 1 : 0;
    return Number(x);
  };
  const value = type === "boolean" ? (v ? 1 : 0) : v;
  const operands = (
    Array.isArray(filter.value) ? filter.value : [filter.value as string | number | boolean]
  ).map(convert);
  const t = operands[0] as number | string;
  const x = value as number | string;
  switch (filter.op) {
    case "=":
      return x === t;
    case "!=":
      return x !== t;
    case "<":
      return x < t;
    case "<=":
      return x <= t;
    case ">":
      return x > t;
    case ">=":
      return x >= t;
    case "in":
      return operands.includes(x);
    case "not in":
      return !operands.includes(x);
  }
}

function measureOf(op: MeasureOp, column: RefColumn | undefined, rows: number[]): Cell {
  if (column === undefined) return rows.length;
  const present = rows.map((r) => column.values[r]).filter((v) => !isMissing(v));
  const numbers = present.map((v) => (typeof v === "boolean" ? (v ? 1 : 0) : v)) as number[];
  switch (op) {
    case "count":
      return present.length;
    case "count_distinct":
      return new Set(present).size;
    case "sum":
      return present.length === 0 ? null : numbers.reduce((a, b) => a + b, 0);
    case "mean":
      return present.length === 0 ? null : numbers.reduce((a, b) => a + b, 0) / numbers.length;
    case "min":
    case "max": {
      if (present.length === 0) return null;
      const sorted = [...present].sort((a, b) =>
        (a as number | string) < (b as number | string) ? -1 : 1,
      );
      return cellOf(op === "min" ? sorted[0] : sorted[sorted.length - 1], column.type);
    }
    case "median": {
      if (present.length === 0) return null;
      const s = [...numbers].sort((a, b) => a - b);
      const n = s.length;
      const mid = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
      if (column.type === "date") return isoDay(Math.floor(mid / 86_400_000) * 86_400_000);
      return cellOf(mid, column.type);
    }
  }
}

/** Cells compared with nulls last whatever the direction. */
function compareCells(a: Cell, b: Cell, descending: boolean): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const c = a < b ? -1 : a > b ? 1 : 0;
  return descending ? -c : c;
}

/** The naive query: filter rows, Map-group them, measure, sort, limit. */
export function refQuery(table: RefColumn[], query: QuerySpec): Record<string, Cell>[] {
  const col = (name: string) => {
    const c = table.find((x) => x.name === name);
    if (c === undefined) throw new Error(`no column ${name}`);
    return c;
  };
  const n = table[0]?.values.length ?? 0;
  let rows = Array.from({ length: n }, (_, i) => i);
  // The reference reads the parts its own builder (filter(), below) kept beside the tree.
  for (const f of query.filter as RefFilter[])
    rows = rows.filter((r) => passes(col(f.column).values[r], f, col(f.column).type));
  const keyOf = (k: GroupKey, r: number): Cell => {
    const c = col(k.column);
    const v = c.values[r];
    if (isMissing(v)) return null;
    return k.unit === undefined ? cellOf(v, c.type) : isoDay(refBucket(v as number, k.unit));
  };
  const groups = new Map<string, { keys: Cell[]; rows: number[] }>();
  if (query.groupBy.length === 0) groups.set("", { keys: [], rows });
  else {
    for (const r of rows) {
      const keys = query.groupBy.map((k) => keyOf(k, r));
      const id = JSON.stringify(keys);
      const g = groups.get(id) ?? { keys, rows: [] };
      g.rows.push(r);
      groups.set(id, g);
    }
  }
  const out = [...groups.values()].map((g) => {
    const record: Record<string, Cell> = {};
    query.groupBy.forEach((k, i) => {
      record[k.name] = g.keys[i];
    });
    for (const m of query.measures) {
      if (m.op === undefined) throw new Error(`the reference runs plain aggregates, not ${m.expr}`);
      record[m.name] = measureOf(m.op, m.column === undefined ? undefined : col(m.column), g.rows);
    }
    return record;
  });
  let order: { name: string; descending: boolean }[];
  const keysAsc = (ks: GroupKey[]) => ks.map((k) => ({ name: k.name, descending: false }));
  if (query.sort.length > 0) order = [...query.sort, ...keysAsc(query.groupBy)];
  else if (query.groupBy.some((k) => k.unit !== undefined)) {
    order = [
      ...keysAsc(query.groupBy.filter((k) => k.unit)),
      ...keysAsc(query.groupBy.filter((k) => !k.unit)),
    ];
  } else {
    order = [
      ...(query.measures.length > 0 ? [{ name: query.measures[0].name, descending: true }] : []),
      ...keysAsc(query.groupBy),
    ];
  }
  out.sort((a, b) => {
    for (const o of order) {
      const c = compareCells(a[o.name], b[o.name], o.descending);
      if (c !== 0) return c;
    }
    return 0;
  });
  return query.limit === undefined ? out : out.slice(0, query.limit);
}

// ---------------------------------------------------------------------------------------
// Spec builders

export function measure(
  name: string,
  op: MeasureOp,
  column?: string,
  path: FieldPath = [],
): Measure {
  const expr = `${op}(${column ?? ""})`;
  return { name, ast: parseExpr(expr), op, column, expr, path };
}

export function key(column: string, unit?: TimeUnit, path: FieldPath = []): GroupKey {
  return { name: unit ?? column, column, unit, expr: unit ? `${unit}(${column})` : column, path };
}

/** A filter as the reference reads it (column, op, value) beside its parsed condition. */
export type RefFilter = Filter & { column: string; op: FilterOp; value?: Scalar | Scalar[] };

/** The SQL literal of a filter value. */
function sqlValue(value: Scalar): string {
  if (typeof value === "string") return quoteString(value);
  return String(value);
}

export function filter(
  column: string,
  op: FilterOp,
  value?: Scalar | Scalar[],
  path: FieldPath = [],
): RefFilter {
  const operand =
    value === undefined
      ? ""
      : Array.isArray(value)
        ? `(${value.map(sqlValue).join(", ")})`
        : sqlValue(value);
  const expr = `${quoteIdentifier(column)} ${op} ${operand}`.trim();
  return { ast: parseExpr(expr), column, op, value, expr, path };
}

export function query(name: string, parts: Partial<Omit<QuerySpec, "name">>): QuerySpec {
  return {
    name,
    groupBy: parts.groupBy ?? [],
    measures: parts.measures ?? [],
    filter: parts.filter ?? [],
    sort: parts.sort ?? [],
    limit: parts.limit,
    path: parts.path ?? ["queries", name],
  };
}

/** A ReportSpec for tests; `locations` maps formatted paths ("queries.q.group_by[0]") to lines. */
export function specOf(
  parts: { queries?: QuerySpec[]; sections?: SectionSpec[] },
  locations: Record<string, SourceLocation> = {},
): ReportSpec {
  return {
    title: "test",
    source: { csv: {} },
    columns: [],
    limits: limitsFromEnv({}),
    queries: Object.fromEntries((parts.queries ?? []).map((q) => [q.name, q])),
    sections: parts.sections ?? [],
    locale: "en-US",
    currency: "USD",
    file: "/reports/test.yml",
    locate: (path) =>
      locations[
        path
          .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
          .join("")
          .replace(/^\./, "")
      ],
  };
}
