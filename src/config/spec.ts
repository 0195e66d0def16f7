// The typed report definition: what `config` produces from report/*.yml and every later
// stage consumes. Field names here are camelCase; the YAML uses snake_case.

import type { ColumnType } from "../column-type.ts";
import type { Expr } from "../expr/ast.ts";
import type { Limits } from "../limits.ts";
import type {
  BudgetAction,
  CellTone,
  ChangeKind,
  ChartMark,
  ChartOffset,
  ChartScale,
  ChartStack,
  DataFormat,
  Engine,
  FilterOp,
  HistogramScale,
  MeasureOp,
  OnError,
  SectionKind,
  SendOp,
  TimeUnit,
  ValueFormat,
} from "../vocabulary.ts";
import type { EnvInsert } from "./env.ts";

// The closed lists are defined in src/vocabulary.ts; their types are re-exported here because
// they are part of the typed definition.
export type {
  CellTone,
  ChartMark,
  ChartOffset,
  ChartScale,
  ChartStack,
  DataFormat,
  Engine,
  FilterOp,
  HistogramScale,
  MeasureOp,
  SectionKind,
  SendOp,
  TimeUnit,
  ValueFormat,
};

/** Where a value sat in the report definition, for error messages. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** Values the environment put into the field: a message shows `${NAME}` instead (env.ts). */
  fromEnv?: readonly EnvInsert[];
  /** A string with inline values, as written in the file from here (yaml-tree.ts positionWithin). */
  raw?: string;
  /** Where a one-line expression's text starts, so an error can point at its token. */
  textPos?: { line: number; column: number };
}

/** A path into the definition, e.g. ["queries", "by_region", "group_by", 0]. */
export type FieldPath = readonly (string | number)[];

export interface CsvOptions {
  /** One character; sniffed from the header line when absent. */
  delimiter?: string;
  /** Field texts read as null; default ["", "NA", "N/A", "null", "NULL", "NaN", "-"]. */
  nullValues?: string[];
}

/**
 * A column's type declared in `source.columns` (`date: { type: date, format: "%b %d %Y" }`):
 * the readers parse its values as that type instead of inferring one.
 */
export interface ColumnDeclaration {
  name: string;
  type: ColumnType;
  /** strptime-style (src/strptime.ts), for dates and timestamps; ISO 8601 when absent. */
  format?: string;
  /** What a value that does not parse does: stop the build, or become missing (counted). */
  onError: OnError;
  /** "report.yml:12:5: source.columns.date": prefixes errors the readers raise about it. */
  where: string;
}

export interface S3Location {
  bucket: string;
  /** One object. Exactly one of `key` and `prefix` is set. */
  key?: string;
  /** Many objects (a partitioned dataset). */
  prefix?: string;
  region?: string;
  /** S3-compatible endpoint; path-style addressing is used with it. */
  endpoint?: string;
}

export interface SourceSpec {
  /** Absent when no bucket is configured (e.g. ${AWS_BUCKET_NAME} unset). */
  s3?: S3Location;
  /** A local file, absolute (resolved against the definition's folder). */
  file?: string;
  /** Local file used, with a notice, when `s3` is absent. Absolute. */
  fallback?: string;
  format?: DataFormat;
  csv: CsvOptions;
  /** GUID of the Connect OAuth integration to use when several are associated. */
  audience?: string;
  /** Declared column types, in the order written; empty when none are declared. */
  columns?: ColumnDeclaration[];
}

/**
 * A measure or KPI value: an expression over aggregates (`sum(revenue)`, `sum(x) / count()`).
 * When it is one plain aggregate, `op` and `column` say which (`sum(revenue)` is op "sum",
 * column "revenue"; `count()` has no column), for the stages that treat kinds differently.
 */
export interface Measure {
  name: string;
  /** The parsed expression (docs/report-definition.md, "Expressions"). */
  ast: Expr;
  op?: MeasureOp;
  column?: string;
  /** The text as written, for messages. */
  expr: string;
  path: FieldPath;
}

/** `region` groups by a column; `month(order_date)` by a time bucket, named `month`. */
export interface GroupKey {
  name: string;
  column: string;
  unit?: TimeUnit;
  expr: string;
  path: FieldPath;
}

export type Scalar = string | number | boolean;

/** One condition of a filter list (`revenue > 0 and (region = 'EU' or vip)`); all must hold. */
export interface Filter {
  /** The parsed condition. */
  ast: Expr;
  expr: string;
  path: FieldPath;
}

/** A derived column (`columns: { margin: "revenue - cost" }`), computed after reading. */
export interface DerivedColumn {
  name: string;
  ast: Expr;
  expr: string;
  path: FieldPath;
}

export interface SortKey {
  /** A group key or measure name of the query. */
  name: string;
  descending: boolean;
  path: FieldPath;
}

export interface QuerySpec {
  name: string;
  groupBy: GroupKey[];
  measures: Measure[];
  filter: Filter[];
  sort: SortKey[];
  limit?: number;
  /** With `limit`: the label of one last row that folds every group past the limit. */
  other?: string;
  path: FieldPath;
}

export interface KpiSpec {
  label: string;
  measure: Measure;
  format: ValueFormat;
  filter: Filter[];
  /**
   * Compare the current `unit` of `column` with the one before it. The current one is the
   * last complete period unless `completePeriods` is false; `sparkline` draws the measure per period.
   */
  compare?: {
    column: string;
    unit: TimeUnit;
    completePeriods?: boolean;
    sparkline?: boolean;
    path: FieldPath;
  };
  path: FieldPath;
}

export interface KpiSection {
  kind: "kpis";
  kpis: KpiSpec[];
  path: FieldPath;
}

export interface ChartSection {
  kind: "chart";
  title: string;
  description?: string;
  query: string;
  mark: ChartMark;
  x: string;
  y: string;
  color?: string;
  format?: ValueFormat;
  /** Axis titles (`x: { field, title }`); default the field's name in words. */
  xTitle?: string;
  yTitle?: string;
  /** The value axis's scale (`y: { field, scale: log }`); default linear. */
  yScale?: ChartScale;
  /** How `color` series of bars and areas pile up; absent: by the measure (stackFor). */
  stack?: ChartStack;
  /** `offset: color`: bars of each colour side by side (grouped), never stacked. */
  offset?: ChartOffset;
  /** Small multiples: one panel per value of `row` and/or `column`, wrapped after `columns`. */
  facet?: ChartFacet;
  /** The category axis's order; absent: by y, largest first (or the query's order). */
  sort?: ChartSort;
  /** Fixed colours of `color` series by value, as CSS colours. */
  colors?: Record<string, string>;
  path: FieldPath;
}

/** `facet: { row, column, columns }`: at least one of row and column; columns only with column. */
export interface ChartFacet {
  row?: string;
  column?: string;
  columns?: number;
}

/** `sort: -revenue` orders categories by a column of the query; `none` keeps the query's order. */
export type ChartSort = { column: string; descending: boolean } | "none";

/** A JSON value, as a Vega-Lite spec is made of. */
export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** Where a `vega_lite` spec's data comes from: a query's result, or the table's rows. */
export type VegaLiteData = { query: string } | { table: true };

/** `vega_lite:` any Vega-Lite spec over a query or the table (src/config/vega-lite.ts). */
export interface VegaLiteSection {
  kind: "vega_lite";
  title: string;
  description?: string;
  /** The spec as written (title, description and `data: { query }` still in it). */
  spec: JsonObject;
  /** Each `data` of the spec by its path within the spec: "data", "layer.1.data". */
  data: Record<string, VegaLiteData>;
  path: FieldPath;
}

export interface HistogramSection {
  kind: "histogram";
  title: string;
  description?: string;
  column: string;
  bins?: number;
  /** The x scale; absent or "auto": log for positive heavy-tailed data, else linear. */
  scale?: HistogramScale;
  /** Draw only values within [lo, hi]; the rest are counted below and above. */
  range?: [number, number];
  path: FieldPath;
}

export interface TableSection {
  kind: "table";
  title?: string;
  query: string;
  limit?: number;
  /** Per-column formats (`columns: { revenue: currency }`); others follow their measure's. */
  formats?: Record<string, ValueFormat>;
  /** Numeric columns drawn with an in-cell bar of the value's share of the column's largest. */
  bars?: string[];
  /** A totals row (sums of sum() and count() measures over every row of the query). */
  totals?: boolean;
  /** Conditional colouring: per numeric column, the thresholds past which a cell is flagged. */
  color?: Record<string, CellRule>;
  path: FieldPath;
}

/** `color: { return_rate: { above: 0.1 } }`: cells above `above` or below `below` get `tone`. */
export interface CellRule {
  above?: number;
  below?: number;
  tone: CellTone;
}

export interface ProfileSection {
  kind: "profile";
  /** "all", or the named columns in this order. */
  columns: "all" | string[];
  path: FieldPath;
}

export interface TextSection {
  kind: "text";
  /** Plain paragraphs separated by blank lines; HTML is escaped. */
  text: string;
  path: FieldPath;
}

/**
 * "Since the last run": what changed against the previous build (src/history/changes.ts).
 * Placed where the definition puts it; without one, shown first when a history exists.
 */
export interface ChangesSection {
  kind: "changes";
  title?: string;
  path: FieldPath;
}

/** Requires one spec per section kind, each carrying its own kind (else TS2344 here). */
type OnePerKind<T extends { [K in SectionKind]: { kind: K } }> = T;

/** The spec of each section kind. */
export type SectionSpecOf = OnePerKind<{
  kpis: KpiSection;
  chart: ChartSection;
  vega_lite: VegaLiteSection;
  histogram: HistogramSection;
  table: TableSection;
  profile: ProfileSection;
  text: TextSection;
  changes: ChangesSection;
}>;

export type SectionSpec = SectionSpecOf[SectionKind];

/** How much of a change counts as notable (docs/history.md); each has a default. */
export interface ChangeThresholds {
  /** Relative change of the row count (0.1 = 10%). */
  rows: number;
  /** Relative change of a KPI's value against the last run. */
  kpi: number;
  /** Kolmogorov–Smirnov distance between a numeric column's two distributions (0 to 1). */
  shift: number;
  /** Change of a numeric column's mean, in standard deviations of the last run. */
  mean: number;
  /** Largest change of a quantile (p5 to p95), in standard deviations of the last run. */
  quantiles: number;
  /** Absolute change of a column's share of missing values (0.05 = 5 points). */
  missing: number;
  /** Relative change of a column's distinct count (or distinct share, for unique-ish columns). */
  distinct: number;
}

/** The definition's `history:` block: where runs are kept, for how long, what is notable. */
export interface HistorySpec {
  /** An S3 prefix (`s3://bucket/prefix/`); absent for a local folder. */
  s3?: S3Location & { prefix: string };
  /** A local folder (absolute); absent with `s3`, and for the default beside the output folder. */
  folder?: string;
  /** Keep at most this many runs (default 500). */
  keepRuns: number;
  /** Delete runs older than this many days (default: kept until keepRuns). */
  keepDays?: number;
  /** Runs a KPI tile's sparkline spans, the current one included (default 12; 0 = none). */
  trend: number;
  /** Show "Since the last run" first when no `changes` section is placed (default true). */
  autoSection: boolean;
  thresholds: ChangeThresholds;
  path: FieldPath;
}

/** What a send condition compares: a KPI's value or change, or a row count. */
export type SendSubject =
  | { kind: "kpi"; label: string; of: "value" | "change" }
  | { kind: "rows"; query?: string };

export interface SendCondition {
  subject: SendSubject;
  op: SendOp;
  threshold: number;
  /** The condition as it reads in the definition, for "sent because …" lines. */
  text: string;
  path: FieldPath;
}

export type SendRule =
  | { kind: "always" }
  | { kind: "on_alert" }
  /** Send when any condition holds (an `on_alert` item is kept as onAlert). */
  | {
      kind: "when";
      conditions: SendCondition[];
      onAlert: boolean;
      /** Send when the run history finds a notable change of one of these kinds (`on_change`). */
      onChange: ChangeKind[];
    };

/** The emailed version of the report (`email:`); every field has a default. */
export interface EmailSpec {
  /** With placeholders {title}, {date}, {rows}, {alerts}, {kpi.<label>}, {kpi.<label>.change}. */
  subject: string;
  kpis: boolean;
  alerts: boolean;
  /** Indexes into ReportSpec.sections of the chart and histogram sections to include. */
  charts: number[];
  /** A short table: the first `rows` rows of a query. */
  table?: { query: string; rows: number };
  text?: string;
  send: SendRule;
}

/** One page of a report split by `pages:`. */
export interface PageSpec {
  title: string;
  /** "index.html" for the first page, else from the title ("products.html"), unique. */
  file: string;
  /** Indexes into ReportSpec.sections, in order. */
  sections: number[];
  path: FieldPath;
}

/** The definition's `athena:` block (with `engine: athena`; docs/athena.md). */
export interface AthenaSpec {
  workgroup: string;
  /** The Glue database the queries run in (and the temporary table is made in). */
  database: string;
  /** A table already in the Glue catalog; absent: a temporary table over source.s3. */
  table?: string;
  /** s3://bucket/prefix/ for query results, ending in "/"; absent: the workgroup's. */
  outputLocation?: string;
  catalog: string;
  region?: string;
  /** `max_scanned_bytes:` here, when set; the limit itself is ReportSpec.limits. */
  maxScannedBytes?: number;
  /** `timeout_seconds:`: longest one statement may run before it is stopped; default 1800. */
  timeoutSeconds?: number;
  path: FieldPath;
}

export interface ReportSpec {
  title: string;
  description?: string;
  source: SourceSpec;
  /** Derived columns in definition order; each may use the ones before it. */
  columns: DerivedColumn[];
  queries: Record<string, QuerySpec>;
  /** Every section; with `pages:`, those of all pages in page order. */
  sections: SectionSpec[];
  /** With `pages:`, the pages (two or more HTML files); absent for a one-page report. */
  pages?: PageSpec[];
  /** BCP 47 locale for number and date formats; default "en-US". */
  locale: string;
  /** ISO 4217 code for `currency` formats; default "USD". */
  currency: string;
  /** The run history; undefined when the definition turns it off (`history: false`). */
  history?: HistorySpec;
  /** Bounds on what the input may make the build do (src/limits.ts). */
  limits: Limits;
  /** Where summaries are computed; absent: local. `athena` comes with `athena`. */
  engine?: Engine;
  athena?: AthenaSpec;
  /** `page_budget:` the most index.html may weigh, in kB (1000 bytes), and what to do past it. */
  pageBudget?: { maxKb: number; exceed: BudgetAction };
  /** What the email carries and when it is sent; defaults when the definition has no `email:`. */
  email?: EmailSpec;
  /** The report's own templates folder (absolute), whose files override the defaults. */
  templates?: string;
  /** Absolute path of the definition; "" for one made from `--source` alone. */
  file: string;
  /** Where a field sat in the definition; undefined for defaults and made-up specs. */
  locate(path: FieldPath): SourceLocation | undefined;
}
