// The table's own rows for `vega_lite` sections drawn from `data: { table: true }`: the spec
// aggregates them itself, so they are handed over raw, as records of the columns the spec
// mentions, and kept in the summary so a chart can be drawn again from summary.json alone
// (notify's email). At most max_chart_rows rows: past that the build stops, naming the section.
import type { JsonObject, ReportSpec, VegaLiteSection } from "../config/spec.ts";
import { ReportError } from "../errors.ts";
import { type Column, settled } from "./columns.ts";
import { cutCell } from "./cut-text.ts";
import { numberCell } from "./measure.ts";
import { specLimitError } from "./spec-error.ts";
import type { Cell, QueryResult } from "./summary.ts";

/** Every string value in a spec (field names, expressions, fold lists), keys left out. */
function strings(value: JsonObject[string], out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (value !== null && typeof value === "object")
    for (const item of Object.values(value)) strings(item, out);
  return out;
}

/** The columns a spec may use: those whose name appears in one of its strings. */
function mentioned(section: VegaLiteSection, columns: readonly Column[]): Column[] {
  const texts = strings(section.spec);
  return columns.filter((column) => texts.some((text) => text.includes(column.name)));
}

function cell(column: Column, row: number, maxText: number): Cell {
  if (column.kind === "category") {
    const code = column.codes[row];
    return code < 0 ? null : cutCell(column.labels[code], maxText);
  }
  if (column.valid !== null && column.valid[row] === 0) return null;
  return numberCell(column.values[row], column.type);
}

/** The raw rows of each `vega_lite` section that draws from the table, by section index. */
export function tableChartRows(
  spec: ReportSpec,
  columns: readonly Column[],
  rows: number,
): Record<string, QueryResult> {
  const out: Record<string, QueryResult> = {};
  spec.sections.forEach((section, index) => {
    if (section.kind !== "vega_lite") return;
    const at = Object.entries(section.data).find(([, data]) => "table" in data)?.[0];
    if (at === undefined) return;
    const limit = spec.limits.max_chart_rows;
    if (rows > limit) {
      const error = specLimitError(
        spec,
        [...section.path, "vega_lite", ...at.split(".")],
        "max_chart_rows",
      );
      throw new ReportError(error.message, {
        hint: `The table has ${rows.toLocaleString("en-US")} rows; draw from a query instead (data: { query: <name> }), which aggregates before the chart. ${error.hint ?? ""}`,
      });
    }
    const used = mentioned(section, columns).map(settled);
    const records: Record<string, Cell>[] = new Array(rows);
    for (let row = 0; row < rows; row++) {
      const record: Record<string, Cell> = {};
      for (const column of used)
        record[column.name] = cell(column, row, spec.limits.max_text_chars);
      records[row] = record;
    }
    out[index] = {
      name: "table",
      columns: used.map((c) => ({ name: c.name, type: c.type })),
      rows: records,
    };
  });
  return out;
}
