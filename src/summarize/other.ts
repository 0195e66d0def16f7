// Top-N with "Other": a query with `limit` and `other` keeps its first N groups and folds the
// rest into one last row. The folded row's measures are computed again over the rows of the
// folded groups, not combined from the groups' results, so every kind comes out right: sums
// and counts add, means weigh each group by its count, min and max combine, and distinct
// counts, medians and ratios of aggregates are those of the folded rows (adding distinct
// counts or averaging medians would be wrong).

import type { QuerySpec, ReportSpec } from "../config/spec.ts";
import type { Grouping } from "./measure.ts";
import { specError } from "./spec-error.ts";
import type { Cell, QueryColumn } from "./summary.ts";

/** One result row, by output column name. */
export type QueryRecord = Record<string, Cell>;

export interface FoldInput {
  query: QuerySpec;
  spec: ReportSpec;
  /** The query's output columns: its group keys first, then its measures. */
  outputs: readonly QueryColumn[];
  /** Every group's record, sorted. */
  sorted: readonly QueryRecord[];
  /** The group (0..grouping.count-1) each record stands for. */
  groupOf: ReadonlyMap<QueryRecord, number>;
  /** The selected rows of the table, and the group of each. */
  rows: Uint32Array;
  grouping: Grouping;
  /** The query's measures over `rows` grouped by `grouping`: one array of cells per measure. */
  measure: (rows: Uint32Array, grouping: Grouping) => Cell[][];
}

/** Checks before the query runs: the label goes into the first group key, which must hold text. */
export function checkOther(query: QuerySpec, spec: ReportSpec, outputs: readonly QueryColumn[]) {
  if (query.other === undefined) return;
  const first = outputs[0];
  if (query.groupBy.length > 0 && first.type !== "string") {
    throw specError(
      spec,
      [...query.path, "other"],
      `the "${query.other}" row is labelled in the first group key, '${first.name}', which holds ${first.type} values, not text`,
      "Put a text column first in group_by (e.g. group_by: [region, month(order_date)]), or remove 'other'.",
    );
  }
}

/**
 * The rows to show: without `limit`, all; with it, the first `limit`; with `other` too and more
 * groups than the limit, the first `limit` and one row folding the rest, last whatever the sort.
 */
export function keepTop(input: FoldInput): QueryRecord[] {
  const { query, sorted } = input;
  if (query.limit === undefined) return [...sorted];
  const limit = Math.max(0, query.limit);
  const kept = sorted.slice(0, limit);
  if (query.other === undefined || sorted.length <= limit) return kept;
  return [...kept, otherRow(input, query.other, limit)];
}

function otherRow(input: FoldInput, label: string, limit: number): QueryRecord {
  const { query, outputs, sorted, groupOf, rows, grouping } = input;
  const folded = new Uint8Array(grouping.count);
  for (let i = limit; i < sorted.length; i++) folded[groupOf.get(sorted[i]) ?? -1] = 1;
  let n = 0;
  for (let k = 0; k < rows.length; k++) n += folded[grouping.ids[k]];
  const otherRows = new Uint32Array(n);
  n = 0;
  for (let k = 0; k < rows.length; k++) if (folded[grouping.ids[k]] === 1) otherRows[n++] = rows[k];
  const values = input.measure(otherRows, { ids: new Int32Array(otherRows.length), count: 1 });
  const record: QueryRecord = {};
  query.groupBy.forEach((key, i) => {
    record[key.name] = i === 0 ? label : null;
  });
  for (const [j, column] of outputs.slice(query.groupBy.length).entries())
    record[column.name] = values[j][0];
  return record;
}
