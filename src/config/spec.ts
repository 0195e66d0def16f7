// The typed report definition: what `config` produces from report/*.yml and every later
// stage consumes. Field names here are camelCase; the YAML uses snake_case.
import type { Limits } from "../limits.ts";

/** Where a value sat in the report definition, for error messages. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A path into the definition, e.g. ["queries", "by_region", "group_by", 0]. */
export type FieldPath = readonly (string | number)[];

export type DataFormat = "csv" | "tsv" | "parquet" | "arrow" | "ndjson" | "json";

export interface CsvOptions {
  /** One character; sniffed from the header line when absent. */
  delimiter?: string;
  /** Field texts read as null; default ["", "NA", "N/A", "null", "NULL", "NaN", "-"]. */
  nullValues?: string[];
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
}

export type MeasureOp = "count" | "sum" | "mean" | "min" | "max" | "median" | "count_distinct";

/** `sum(revenue)` is {op: "sum", column: "revenue"}; `count()` has no column. */
export interface Measure {
  name: string;
  op: MeasureOp;
  column?: string;
  /** The text as written, for messages. */
  expr: string;
  path: FieldPath;
}

export type TimeUnit = "day" | "week" | "month" | "quarter" | "year";

/** `region` groups by a column; `month(order_date)` by a time bucket, named `month`. */
export interface GroupKey {
  name: string;
  column: string;
  unit?: TimeUnit;
  expr: string;
  path: FieldPath;
}

export type FilterOp =
  | "="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "in"
  | "not in"
  | "is null"
  | "is not null";

export type Scalar = string | number | boolean;

export interface Filter {
  column: string;
  op: FilterOp;
  /** Absent for `is null` / `is not null`; an array for `in` / `not in`. */
  value?: Scalar | Scalar[];
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
  path: FieldPath;
}

export type ValueFormat = "number" | "integer" | "currency" | "percent" | "date";

export interface KpiSpec {
  label: string;
  measure: Measure;
  format: ValueFormat;
  filter: Filter[];
  /** Compare the latest `unit` of `column` with the one before it. */
  compare?: { column: string; unit: TimeUnit; path: FieldPath };
  path: FieldPath;
}

export type ChartMark = "bar" | "line" | "area" | "point";

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
  path: FieldPath;
}

export interface HistogramSection {
  kind: "histogram";
  title: string;
  description?: string;
  column: string;
  bins?: number;
  path: FieldPath;
}

export interface TableSection {
  kind: "table";
  title?: string;
  query: string;
  limit?: number;
  path: FieldPath;
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

export type SectionSpec =
  | KpiSection
  | ChartSection
  | HistogramSection
  | TableSection
  | ProfileSection
  | TextSection;

export interface ReportSpec {
  title: string;
  description?: string;
  source: SourceSpec;
  queries: Record<string, QuerySpec>;
  sections: SectionSpec[];
  /** BCP 47 locale for number and date formats; default "en-US". */
  locale: string;
  /** ISO 4217 code for `currency` formats; default "USD". */
  currency: string;
  /** Bounds on what the input may make the build do (src/limits.ts). */
  limits: Limits;
  /** The report's own templates folder (absolute), whose files override the defaults. */
  templates?: string;
  /** Absolute path of the definition; "" for one made from `--source` alone. */
  file: string;
  /** Where a field sat in the definition; undefined for defaults and made-up specs. */
  locate(path: FieldPath): SourceLocation | undefined;
}
