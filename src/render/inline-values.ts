// Filling inline values (`{{ kpi.Revenue }}`, `{{ query.by_region[0].region }}`) from the
// summaries, formatted as the page shows them: a KPI as its tile does, a query cell as the
// query's table does (the report's locale and currency). The names were checked against the
// definition already (src/config/inline-values.ts); what only the data can tell, a row past
// the end of a query's result, is an error located at the placeholder.

import { hideEnvValues } from "../config/env.ts";
import { INLINE_HINT, parseRef, placeholderPosition } from "../config/inline-values.ts";
import type { FieldPath, ReportSpec } from "../config/spec.ts";
import { formatPath, locatedMessage } from "../config/yaml-tree.ts";
import { ReportError } from "../errors.ts";
import { type FormatLocale, formatChange, formatKpi } from "../format.ts";
import { kpiHeadline } from "../summarize/kpi-headline.ts";
import type { Summary } from "../summarize/summary.ts";
import type { FillValue } from "./markdown.ts";

/** A query's first `rows` rows as its table section would show them (render/model.ts tableBlock). */
export type TableCells = (query: string, rows: number) => string[][];

/** Fills the placeholders of the text at `path`; throws a located ReportError for a bad one. */
export function inlineValues(
  spec: ReportSpec,
  summary: Summary,
  loc: FormatLocale,
  tableCells: TableCells,
): (path: FieldPath) => FillValue {
  const labels = summary.kpis.map((k) => k.label);
  const tables = new Map<string, string[][]>();
  /** A query's cells as its table formats them, at least up to row `row`. */
  const cells = (query: string, row: number): string[][] => {
    let rows = tables.get(query);
    if (rows === undefined || rows.length <= row) {
      rows = tableCells(query, Math.max(row + 1, 10));
      tables.set(query, rows);
    }
    return rows;
  };
  return (path) => (placeholder) => {
    const fail = (problem: string, hint: string = INLINE_HINT): never => {
      const location = spec.locate(path);
      const message = `${placeholder.text}: ${problem}`;
      throw new ReportError(
        location === undefined
          ? `${formatPath(path)}: ${message}`
          : locatedMessage(
              location.file,
              placeholderPosition(location, location.raw, placeholder),
              path,
              hideEnvValues(message, location.fromEnv ?? []),
            ),
        { hint },
      );
    };
    const ref = parseRef(placeholder.inner, labels);
    if (ref === undefined) return fail("not an inline value");
    if (ref.kind === "kpi") {
      const kpi = summary.kpis.find((k) => k.label === ref.label);
      if (kpi === undefined) return fail(`no KPI labelled '${ref.label}'`);
      if (!ref.change) return formatKpi(kpiHeadline(kpi), kpi.format, loc);
      if (kpi.comparison === undefined) return fail(`KPI '${ref.label}' compares no periods`);
      return formatChange(kpi.comparison.change, loc);
    }
    const result = summary.queries[ref.query];
    if (result === undefined) return fail(`no query named '${ref.query}'`);
    const column = result.columns.findIndex((c) => c.name === ref.column);
    if (column < 0) return fail(`'${ref.column}' is not a column of query '${ref.query}'`);
    const count = result.rows.length;
    if (ref.row >= count) {
      return fail(
        `query '${ref.query}' has ${count} row${count === 1 ? "" : "s"} in this data, so row ${ref.row} does not exist`,
        count === 0
          ? "The query selects no rows; check its filter, or remove this value."
          : `Rows count from 0: use ${ref.query}[0] to ${ref.query}[${count - 1}], or give the query a limit so the text names only rows it always has.`,
      );
    }
    return cells(ref.query, ref.row)[ref.row][column];
  };
}
