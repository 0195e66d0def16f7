// The definition's queries and KPI tiles as Trino SELECTs. The local engine's checks run
// first over empty columns of the same names and types (columns.ts), so a definition fails
// with the same located message whichever engine runs it; then filters, group keys (time
// buckets by date_trunc), measures, sort and limit are compiled, every name and value quoted
// (sql.ts), and the rows read back are typed, sorted and cut as src/summarize/query.ts does.
import { assertNever } from "../../assert-never.ts";
import { isoDate } from "../../calendar.ts";
import { isTemporal } from "../../column-type.ts";
import type {
  Filter,
  FilterOp,
  KpiSpec,
  Measure,
  QuerySpec,
  ReportSpec,
  Scalar,
} from "../../config/spec.ts";
import type { Expr } from "../../expr/ast.ts";
import { checkExpr } from "../../expr/check.ts";
import { type SqlOverride, toSql } from "../../expr/to-sql.ts";
import { cutCell, cutText } from "../../summarize/cut-text.ts";
import {
  comparedPeriods,
  computeKpi,
  periodComparison,
  SPARKLINE_PERIODS,
} from "../../summarize/kpi.ts";
import { numberCell, resolveMeasure } from "../../summarize/measure.ts";
import { comparator, runQuery, sortOrder } from "../../summarize/query.ts";
import { columnInfos, specLimitError } from "../../summarize/spec-error.ts";
import type { Cell, ColumnType, KpiValue, QueryResult } from "../../summarize/summary.ts";
import { addBuckets, bucketStart, parseIso } from "../../time-buckets.ts";
import type { AthenaSession } from "./client.ts";
import { bucketNumber, columnOverride, emptyColumns, present, type SqlColumn } from "./columns.ts";
import { num, quoteString } from "./sql.ts";

/** Runs one query of the definition in Athena. */
export async function queryInAthena(
  session: AthenaSession,
  from: string,
  columns: readonly SqlColumn[],
  query: QuerySpec,
  spec: ReportSpec,
): Promise<QueryResult> {
  // The local checks; over no rows, they also give the output columns and their types.
  const outputs = runQuery(query, emptyColumns(columns), 0, spec).columns;
  const byName = (name: string) => columns.find((c) => c.name === name) as SqlColumn;
  const override = columnOverride(columns);
  const keys = query.groupBy.map((key) => {
    const column = byName(key.column);
    return key.unit !== undefined ? bucketNumber(column, key.unit) : keyValue(column);
  });
  const measures = query.measures.map((m) => measureSql(m, columns, override));
  const alias = (i: number) => `"o${i}"`;
  const names = outputs.map((o) => o.name);
  const select = [...keys, ...measures].map((expr, i) => `${expr} AS ${alias(i)}`);
  const maxGroups = spec.limits.max_groups;
  const order = sortOrder(query)
    .map((k) => `${alias(names.indexOf(k.name))}${k.descending ? " DESC" : " ASC"}`)
    .join(", ");
  const limit = Math.min(query.limit ?? maxGroups + 1, maxGroups + 1);
  const sql = [
    `SELECT ${[...select, 'count(*) OVER () AS "groups"'].join(", ")} FROM ${from}`,
    where(query.filter, byName, override),
    keys.length > 0 ? `GROUP BY ${keys.join(", ")}` : "",
    order === "" ? "" : `ORDER BY ${order}`,
    `LIMIT ${Math.max(0, limit)}`,
  ]
    .filter((part) => part !== "")
    .join(" ");
  const result = await session.run(sql, `query ${query.name}`);
  const groups = Number(result.rows[0]?.[outputs.length] ?? 0);
  if (groups > maxGroups) throw specLimitError(spec, query.path, "max_groups");
  const records = result.rows.map((row) => {
    const record: Record<string, Cell> = {};
    outputs.forEach((o, i) => {
      record[o.name] = cell(row[i], o.type, i < keys.length ? keyKind(query, i, byName) : "number");
    });
    return record;
  });
  records.sort(comparator(sortOrder(query)));
  const kept = query.limit === undefined ? records : records.slice(0, Math.max(0, query.limit));
  if (query.other !== undefined && query.limit !== undefined && groups > query.limit) {
    // The groups past the limit, folded into one row: the measures again over their rows.
    const shown = result.rows.map((row) =>
      keys.map((key, i) => {
        const v = row[i];
        if (v === null) return `${key} IS NULL`;
        return `${key} = ${keyKind(query, i, byName) === "category" ? quoteString(v) : num(Number(v))}`;
      }),
    );
    const notShown =
      shown.length === 0
        ? ""
        : `NOT coalesce(${shown.map((c) => `(${c.join(" AND ")})`).join(" OR ")}, false)`;
    const filter = where(query.filter, byName, override);
    const condition =
      notShown === ""
        ? filter
        : filter === ""
          ? `WHERE ${notShown}`
          : `${filter} AND (${notShown})`;
    const folded = await session.run(
      `SELECT ${measures.map((m, j) => `${m} AS ${alias(keys.length + j)}`).join(", ")} FROM ${from} ${condition}`.trim(),
      `query ${query.name} (${query.other})`,
    );
    const record: Record<string, Cell> = {};
    query.groupBy.forEach((key, i) => {
      record[key.name] = i === 0 ? (query.other ?? null) : null;
    });
    outputs.slice(keys.length).forEach((o, j) => {
      record[o.name] = cell(folded.rows[0]?.[j] ?? null, o.type, "number");
    });
    kept.push(record);
  }
  const maxText = spec.limits.max_text_chars;
  for (const record of kept)
    for (const name of names) record[name] = cutCell(record[name], maxText);
  const out: QueryResult = { name: query.name, columns: outputs, rows: kept };
  const approximate = query.measures.filter((m) => m.op === "median").map((m) => m.name);
  if (approximate.length > 0) out.approximate = approximate;
  return out;
}

/** Computes one KPI tile (section index `section`) in Athena. */
export async function kpiInAthena(
  session: AthenaSession,
  from: string,
  columns: readonly SqlColumn[],
  kpi: KpiSpec,
  section: number,
  spec: ReportSpec,
  now: Date,
): Promise<KpiValue> {
  const empty = emptyColumns(columns);
  computeKpi(kpi, section, empty, 0, spec, now);
  const type = resolveMeasure(kpi.measure, empty, spec).type;
  const byName = (name: string) => columns.find((c) => c.name === name) as SqlColumn;
  const override = columnOverride(columns);
  const measure = measureSql(kpi.measure, columns, override);
  const filter = where(kpi.filter, byName, override);
  const label = `KPI ${kpi.label}`;
  const { compare } = kpi;
  const dates = compare === undefined ? undefined : byName(compare.column);
  const selects = [`${measure} AS "v"`];
  if (dates !== undefined)
    selects.push(`max(${dates.number}) AS "latest"`, `min(${dates.number}) AS "earliest"`);
  const first = await session.run(
    `SELECT ${selects.join(", ")} FROM ${from} ${filter}`.trim(),
    label,
  );
  const row = first.rows[0] ?? [];
  const measured = scalar(cell(row[0], type, "number"));
  const value =
    typeof measured === "string" ? cutText(measured, spec.limits.max_text_chars) : measured;
  const tile: KpiValue = { section, label: kpi.label, format: kpi.format, value };
  if (compare === undefined || dates === undefined || row[1] === null || row[1] === undefined)
    return tile;

  const { unit } = compare;
  const { current, end, previous } = comparedPeriods(Number(row[1]), compare, now);
  const start =
    compare.sparkline === true
      ? Math.max(
          bucketStart(Number(row[2]), unit),
          addBuckets(current, unit, 1 - SPARKLINE_PERIODS),
        )
      : previous;
  const range = `${dates.number} >= ${num(Math.min(start, previous))} AND ${dates.number} < ${num(end)}`;
  const bucket = bucketNumber(dates, unit);
  const periods = await session.run(
    `SELECT ${bucket} AS "p", ${measure} AS "v" FROM ${from} ${filter === "" ? `WHERE ${range}` : `${filter} AND (${range})`} GROUP BY ${bucket}`,
    `${label} by ${unit}`,
  );
  const byPeriod = new Map(periods.rows.map((r) => [Number(r[0]), r[1]]));
  // A period without rows: count() is 0, anything else has no value (as over no rows locally).
  const empty0 = kpi.measure.op === "count" || kpi.measure.op === "count_distinct" ? 0 : null;
  const valueAt = (period: number): number | null => {
    if (!byPeriod.has(period)) return empty0;
    const v = cell(byPeriod.get(period) ?? null, type, "number");
    return typeof v === "number" ? v : null;
  };
  const currentValue = valueAt(current);
  const previousValue = valueAt(previous);
  tile.comparison = periodComparison(spec, dates.name, unit, {
    partial: now.getTime() < end,
    current,
    previous,
    currentValue,
    previousValue,
  });
  if (compare.sparkline === true) {
    const series: { period: string; value: number | null }[] = [];
    for (let p = start; p <= current; p = addBuckets(p, unit, 1))
      series.push({ period: isoDate(p), value: valueAt(p) });
    tile.comparison.series = series;
  }
  return tile;
}

/** A column's value as a group key: numbers (epoch ms for dates), text for text columns. */
function keyValue(column: SqlColumn): string {
  return column.number ?? column.value;
}

function keyKind(
  query: QuerySpec,
  i: number,
  byName: (name: string) => SqlColumn,
): "number" | "category" {
  return query.groupBy[i].unit !== undefined ? "number" : byName(query.groupBy[i].column).kind;
}

/** One measure as a Trino aggregate over the columns' values (numbers, or text). */
function measureSql(
  measure: Measure,
  columns: readonly SqlColumn[],
  override: SqlOverride,
): string {
  // An expression over aggregates (sum(x) / count()): the expression printer's SQL of the
  // checked tree, whose types tell it to count a boolean's trues with numbers.
  if (measure.op === undefined) {
    const checked = checkExpr(measure.ast, columnInfos(emptyColumns(columns)), "aggregate");
    return toSql(checked.expr, override, checked.types);
  }
  if (measure.column === undefined) return "count(*)";
  const column = columns.find((c) => c.name === measure.column) as SqlColumn;
  const n = column.number;
  switch (measure.op) {
    case "count":
      return `count_if(${present(column)})`;
    case "count_distinct":
      return `count(DISTINCT ${keyValue(column)})`;
    case "sum":
      return `sum(${n})`;
    case "mean":
      return `avg(${n})`;
    case "min":
    case "max":
      return `${measure.op}(${keyValue(column)})`;
    case "median":
      return `approx_percentile(${n}, 5E-1)`;
    default:
      return assertNever(measure.op, "measure op");
  }
}

/** The WHERE clause of `filters` (already checked by the local engine); "" for none. */
function where(
  filters: readonly Filter[],
  byName: (name: string) => SqlColumn,
  override: SqlOverride,
): string {
  if (filters.length === 0) return "";
  const conditions = filters.map((f) => {
    // One column against values compiles as the local filter reads it (src/summarize/
    // filter.ts: dates compared as dates, text against text); any other condition is the
    // expression printer's SQL, where a NULL condition drops the row as it does locally.
    const simple = simpleFilter(f);
    return simple === undefined
      ? `(${toSql(f.ast, override)})`
      : `(${condition(simple, byName(simple.column))})`;
  });
  return `WHERE ${conditions.join(" AND ")}`;
}

/** A filter this engine compiles: one column compared with values. */
interface SimpleFilter {
  column: string;
  op: FilterOp;
  value?: Scalar | Scalar[];
}

const SIMPLE_OPS: Partial<Record<string, FilterOp>> = {
  "=": "=",
  "<>": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

/**
 * The filter as one column compared with literal values (`x > 0`, `x in ('a', 'b')`,
 * `x is null`); any other expression is refused with a located error.
 */
function simpleFilter(filter: Filter): SimpleFilter | undefined {
  const { ast } = filter;
  const literal = (e: Expr): Scalar | undefined => {
    if (e.kind === "literal" && e.value !== null) return e.value;
    if (e.kind === "negate" && e.arg.kind === "literal" && typeof e.arg.value === "number")
      return -e.arg.value;
    return undefined;
  };
  if (ast.kind === "is_null" && ast.arg.kind === "column")
    return { column: ast.arg.name, op: ast.negated ? "is not null" : "is null" };
  if (ast.kind === "in" && ast.arg.kind === "column") {
    const values = ast.list.map(literal);
    if (values.every((v) => v !== undefined))
      return { column: ast.arg.name, op: ast.negated ? "not in" : "in", value: values as Scalar[] };
  }
  if (ast.kind === "binary" && ast.left.kind === "column") {
    const op = SIMPLE_OPS[ast.op];
    const value = literal(ast.right);
    if (op !== undefined && value !== undefined) return { column: ast.left.name, op, value };
  }
  return undefined;
}

function condition(filter: SimpleFilter, column: SqlColumn): string {
  if (filter.op === "is null") return `NOT (${present(column)})`;
  if (filter.op === "is not null") return present(column);
  const values = Array.isArray(filter.value) ? filter.value : [filter.value ?? ""];
  const literal = (v: string | number | boolean): string => {
    if (column.kind === "category") return quoteString(String(v));
    if (isTemporal(column.type)) return num(parseIso(String(v)) ?? Number.NaN);
    if (column.type === "boolean") return String(v).toLowerCase() === "true" ? "1E0" : "0E0";
    return num(Number(v));
  };
  const target = column.kind === "category" ? column.value : (column.number as string);
  const list = values.map(literal).join(", ");
  switch (filter.op) {
    case "=":
    case "<":
    case "<=":
    case ">":
    case ">=":
      return `${target} ${filter.op} ${literal(values[0])}`;
    case "!=":
      return `${target} <> ${literal(values[0])}`;
    case "in":
      return `${target} IN (${list})`;
    case "not in":
      return `NOT (${target} IN (${list}))`;
    default:
      return assertNever(filter.op, "filter op");
  }
}

/** A result cell as the local engine writes it: numbers typed, dates as ISO text. */
function cell(textValue: string | null, type: ColumnType, kind: "number" | "category"): Cell {
  if (textValue === null) return null;
  if (kind === "category" || type === "string") return textValue;
  return numberCell(Number(textValue), type);
}

function scalar(value: Cell): number | string | null {
  return typeof value === "boolean" ? String(value) : value;
}
