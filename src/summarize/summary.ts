// Plain-JSON summaries: what `summarize` computes from the Arrow table and what charts,
// templates and output/summary.json consume. Dates and timestamps are ISO 8601 strings.

import type { ColumnType } from "../column-type.ts";

export type { ColumnType } from "../column-type.ts";

export interface Quantiles {
  p5: number | string;
  p25: number | string;
  p50: number | string;
  p75: number | string;
  p95: number | string;
}

/** One histogram bin; [start, end) except the last, which includes `end`. Dates as ISO strings. */
export interface HistogramBin {
  start: number | string;
  end: number | string;
  count: number;
}

/** How a `histogram` section's own histogram is drawn: its scale and the values outside its bins. */
export interface HistogramShape {
  scale: "linear" | "log";
  below: number;
  above: number;
}

export interface TopValue {
  value: string;
  count: number;
}

/** Profile of one column; fields that do not apply to its type are absent. */
export interface ColumnProfile {
  name: string;
  type: ColumnType;
  /** Non-missing values. */
  count: number;
  missing: number;
  distinct: number;
  min?: number | string;
  max?: number | string;
  mean?: number;
  std?: number;
  quantiles?: Quantiles;
  zeros?: number;
  /** ±Infinity values in a float column; they are counted in `missing` and left out of the stats. */
  infinite?: number;
  histogram?: HistogramBin[];
  /** For numbers: the histogram's x scale, and the values outside its bins (not drawn). */
  histogramScale?: "linear" | "log";
  histogramBelow?: number;
  histogramAbove?: number;
  /** For dates and timestamps: the calendar unit of each histogram bin. */
  histogramUnit?: "hour" | "day" | "week" | "month" | "quarter" | "year";
  top?: TopValue[];
  /** Figures an engine estimated instead of counting (engine: athena): shown with "≈". */
  approximate?: ApproximateField[];
}

/** The profile figures an engine may estimate: approx_distinct, approx_percentile, bins chosen from those. */
export type ApproximateField = "distinct" | "quantiles" | "histogram";

export type Cell = string | number | boolean | null;

export interface QueryColumn {
  name: string;
  type: ColumnType;
}

/** Result of one query: columns in order, rows as records keyed by column name. */
export interface QueryResult {
  name: string;
  columns: QueryColumn[];
  rows: Record<string, Cell>[];
  /** Output columns an engine estimated (median in Athena is approx_percentile). */
  approximate?: string[];
}

export interface KpiValue {
  /** Index into ReportSpec.sections of the `kpis` section this tile belongs to. */
  section: number;
  label: string;
  format: "number" | "integer" | "currency" | "percent" | "date";
  /**
   * The measure over the whole (filtered) table. Dates as ISO strings. With `compare`, the
   * tile's headline is `comparison.currentValue` instead.
   */
  value: number | string | null;
  /** Present when the KPI compares periods. */
  comparison?: {
    /** The date or timestamp column the periods are taken from, and their length (always set by summarize). */
    column?: string;
    unit?: "day" | "week" | "month" | "quarter" | "year";
    /** True when the current period had not ended at `now`: it holds only part of its data. */
    partial?: boolean;
    /** ISO dates of the period starts. */
    current: string;
    previous: string;
    currentValue: number | null;
    previousValue: number | null;
    /** (current - previous) / |previous|; null when previous is 0 or missing. */
    change: number | null;
    /** With `sparkline: true`: the measure per period (ISO start), oldest first, up to `current`. */
    series?: { period: string; value: number | null }[];
  };
}

export type AlertKind =
  | "constant"
  | "missing"
  | "high_cardinality"
  | "skewed"
  | "zeros"
  | "duplicates";

export interface Alert {
  kind: AlertKind;
  /** Absent for table-wide alerts (duplicates). */
  column?: string;
  /** The measured figure behind the alert (share, skewness, count). */
  value: number;
  message: string;
}

export interface Summary {
  rows: number;
  columns: ColumnProfile[];
  queries: Record<string, QueryResult>;
  kpis: KpiValue[];
  alerts: Alert[];
  /** Histograms of `histogram` sections with their own `bins`, `scale` or `range`, by section index. */
  histograms?: Record<string, HistogramBin[]>;
  /** The scale of each of `histograms`, and the values outside its bins, by section index. */
  histogramShapes?: Record<string, HistogramShape>;
  /** The table's rows (the columns the spec mentions) for `vega_lite` sections over `data: { table: true }`, by section index. */
  chartRows?: Record<string, QueryResult>;
}
