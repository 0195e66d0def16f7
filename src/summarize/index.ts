// The summarize stage: Arrow Table + ReportSpec → plain-JSON Summary (profiles, queries,
// KPIs, alerts). Pure: the clock comes in as `options.now`.
//
// Missing values: null, and in float columns NaN and ±Infinity, are "missing" everywhere
// (profile counts, filters, groups, measures); a profile notes ±Infinity in `infinite`.
// Calendar buckets and dates are UTC.

import type { Table } from "apache-arrow";
import { isTemporal } from "../column-type.ts";
import type { ReportSpec } from "../config/spec.ts";
import { findAlerts } from "./alerts.ts";
import { tableChartRows } from "./chart-rows.ts";
import { readColumns } from "./columns.ts";
import { DefinitionProblems } from "./definition-problems.ts";
import { deriveColumns } from "./derive.ts";
import { countDuplicateRows } from "./duplicates.ts";
import { shapedHistogram } from "./histogram.ts";
import { computeKpi } from "./kpi.ts";
import { profileColumn, SortBuffers, sortedValues } from "./profile.ts";
import { runQuery } from "./query.ts";
import { findColumn } from "./spec-error.ts";
import type { HistogramBin, HistogramShape, KpiValue, QueryResult, Summary } from "./summary.ts";

export interface SummarizeOptions {
  /** The clock, for whether a KPI's current period is still running; default: the real time. */
  now?: Date;
}

/** Profiles every column and runs the spec's queries and KPIs against `table`. */
export function summarize(table: Table, spec: ReportSpec, options: SummarizeOptions = {}): Summary {
  const now = options.now ?? new Date();
  const rows = table.numRows;
  // Every definition problem the data reveals is reported in one run: each unit below fails
  // on its own, and the problems are thrown together before the (costly) profile.
  const problems = new DefinitionProblems(spec);
  const columns = deriveColumns(spec, readColumns(table), rows, problems);

  spec.sections.forEach((section) => {
    if (section.kind === "profile" && section.columns !== "all") {
      section.columns.forEach((name, i) => {
        problems.attempt(() => findColumn(columns, name, spec, [...section.path, "profile", i]));
      });
    }
    if (section.kind === "histogram")
      problems.attempt(() =>
        findColumn(columns, section.column, spec, [...section.path, "histogram", "column"]),
      );
  });

  const queries: Record<string, QueryResult> = {};
  for (const [name, query] of Object.entries(spec.queries)) {
    const result = problems.attempt(() => runQuery(query, columns, rows, spec));
    if (result !== undefined) queries[name] = result;
  }

  const kpis: KpiValue[] = [];
  spec.sections.forEach((section, index) => {
    if (section.kind !== "kpis") return;
    for (const kpi of section.kpis) {
      const value = problems.attempt(() => computeKpi(kpi, index, columns, rows, spec, now));
      if (value !== undefined) kpis.push(value);
    }
  });
  problems.finish();

  const buffers = new SortBuffers();
  const stats = columns.map((column) => profileColumn(column, spec.limits.max_text_chars, buffers));
  // A column whose every row holds a different value (an id) rules out duplicate rows.
  const unique = rows > 0 && stats.some((s) => s.profile.distinct === rows);
  const alerts = findAlerts(stats, rows, unique ? 0 : countDuplicateRows(columns, rows));
  const summary: Summary = { rows, columns: stats.map((s) => s.profile), queries, kpis, alerts };
  const chartRows = tableChartRows(spec, columns, rows);
  if (Object.keys(chartRows).length > 0) summary.chartRows = chartRows;
  const { histograms, shapes } = sectionHistograms(spec, columns);
  if (Object.keys(histograms).length > 0) {
    summary.histograms = histograms;
    summary.histogramShapes = shapes;
  }
  return summary;
}

/** Histograms of `histogram` sections with their own bins, scale or range, by section index. */
function sectionHistograms(
  spec: ReportSpec,
  columns: ReturnType<typeof readColumns>,
): { histograms: Record<string, HistogramBin[]>; shapes: Record<string, HistogramShape> } {
  const histograms: Record<string, HistogramBin[]> = {};
  const shapes: Record<string, HistogramShape> = {};
  spec.sections.forEach((section, index) => {
    if (section.kind !== "histogram") return;
    const { bins, scale, range } = section;
    if (bins === undefined && scale === undefined && range === undefined) return;
    const column = columns.find((c) => c.name === section.column);
    if (column?.kind !== "number" || isTemporal(column.type)) return;
    const sorted = sortedValues(column);
    if (sorted.length === 0) return;
    const shaped = shapedHistogram(sorted, column.type === "integer", { bins, scale, range });
    histograms[index] = shaped.bins;
    shapes[index] = { scale: shaped.scale, below: shaped.below, above: shaped.above };
  });
  return { histograms, shapes };
}

export type { Summary } from "./summary.ts";
