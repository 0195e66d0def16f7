// The closed lists of the report definition's vocabulary: section kinds, chart marks, data
// and value formats, measure and filter operators, time units. Each is written once here as
// an `as const` array and its type derived from it, so the parser's list of accepted words,
// the types every stage switches over and the messages that name the choices cannot drift
// apart. It is a bottom-layer module (no imports) so shared formatting can use it too.

/** Section kinds, in the order the documentation lists them. */
export const SECTION_KINDS = [
  "kpis",
  "chart",
  "vega_lite",
  "histogram",
  "table",
  "profile",
  "text",
  "changes",
] as const;
export type SectionKind = (typeof SECTION_KINDS)[number];

/** Marks of a `chart:` section (vega-lite mark names). */
export const CHART_MARKS = ["bar", "line", "area", "point"] as const;
export type ChartMark = (typeof CHART_MARKS)[number];

/** How a chart's `color` series pile up: on each other, as shares of 100%, or side by side. */
export const CHART_STACKS = ["zero", "normalize", "none"] as const;
export type ChartStack = (typeof CHART_STACKS)[number];

/** A chart's value (y) scale. */
export const CHART_SCALES = ["linear", "log"] as const;
export type ChartScale = (typeof CHART_SCALES)[number];

/** What a chart's bars are set side by side by (`offset: color`: grouped bars). */
export const CHART_OFFSETS = ["color"] as const;
export type ChartOffset = (typeof CHART_OFFSETS)[number];

/** Formats a source's `format:` may name; each has its reader. */
export const DATA_FORMATS = ["csv", "tsv", "parquet", "arrow", "ndjson", "json"] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/**
 * The words a `source.columns` declaration's `type:` may use: the profile's column types
 * (src/column-type.ts), plus `text` and `number`, the everyday names of string and float.
 */
export const DECLARED_TYPES = [
  "integer",
  "float",
  "number",
  "boolean",
  "date",
  "timestamp",
  "string",
  "text",
] as const;
export type DeclaredType = (typeof DECLARED_TYPES)[number];

/** What a declared column's value that does not parse does: stop the build, or become null. */
export const ON_ERROR_ACTIONS = ["fail", "null"] as const;
export type OnError = (typeof ON_ERROR_ACTIONS)[number];

/** How a KPI or a chart's measure is shown. */
export const VALUE_FORMATS = ["number", "integer", "currency", "percent", "date"] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

/** How a histogram's value axis is scaled: `auto` picks log for positive heavy-tailed data. */
export const HISTOGRAM_SCALES = ["auto", "linear", "log"] as const;
export type HistogramScale = (typeof HISTOGRAM_SCALES)[number];

/** What a table cell past a `color:` threshold means to the reader. */
export const CELL_TONES = ["bad", "good"] as const;
export type CellTone = (typeof CELL_TONES)[number];

/** What a build does when index.html outgrows the definition's `page_budget`. */
export const BUDGET_ACTIONS = ["warn", "fail"] as const;
export type BudgetAction = (typeof BUDGET_ACTIONS)[number];

/** Aggregations of a measure: `sum(revenue)` is op "sum". */
export const MEASURE_OPS = [
  "count",
  "sum",
  "mean",
  "min",
  "max",
  "median",
  "count_distinct",
] as const;
export type MeasureOp = (typeof MEASURE_OPS)[number];

/** Time buckets of a group key (`month(order_date)`) or a KPI comparison, finest first. */
export const TIME_UNITS = ["day", "week", "month", "quarter", "year"] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/** Operators of a filter condition. */
export const FILTER_OPS = [
  "=",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "in",
  "not in",
  "is null",
  "is not null",
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

/** The filter operators that compare with a value (or a list of values). */
export type CompareOp = Exclude<FilterOp, "is null" | "is not null">;

/**
 * What the change summary (src/history/changes.ts) can find between two runs, in the order
 * the "Since the last run" section lists them: the data's shape first, then the KPIs, then
 * per-column statistics. Also the names an email send rule may name (`send: [schema, kpi]`).
 */
export const CHANGE_KINDS = [
  "column_added",
  "column_removed",
  "column_retyped",
  "rows",
  "kpi",
  "shift",
  "mean",
  "quantiles",
  "missing",
  "new_category",
  "vanished_category",
  "distinct",
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** The comparisons a condition of the `email:` block's send rule makes. */
export const SEND_OPS = ["above", "below", "equals"] as const;
export type SendOp = (typeof SEND_OPS)[number];

/** Where the report's summaries are computed: in this process, or pushed to Amazon Athena. */
export const ENGINES = ["local", "athena"] as const;
export type Engine = (typeof ENGINES)[number];

/** True when `value` is one of `list`: narrows a string read from YAML or a template. */
export function isOneOf<const T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === "string" && (list as readonly string[]).includes(value);
}
