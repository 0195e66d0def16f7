// Derived columns (`columns:` in the definition): computed once, right after the table's
// columns are read and before anything is summarized, in definition order, each able to use
// the ones before it. From then on they are columns like any other: profiled, filtered,
// grouped by, measured, charted and mailed.

import type { ReportSpec } from "../config/spec.ts";
import { checkExpr } from "../expr/check.ts";
import { ExprError } from "../expr/error.ts";
import { evaluate } from "../expr/eval.ts";
import type { Vector } from "../expr/vector.ts";
import type { Column } from "./columns.ts";
import type { DefinitionProblems } from "./definition-problems.ts";
import { tableFrame } from "./filter.ts";
import { columnInfos, exprError, specError } from "./spec-error.ts";

/**
 * The table's columns followed by the definition's derived columns. With `problems`, a derived
 * column that fails is left out and its problem kept there; without, the first problem throws.
 */
export function deriveColumns(
  spec: ReportSpec,
  columns: readonly Column[],
  rowCount: number,
  problems?: DefinitionProblems,
): Column[] {
  const all = [...columns];
  for (const derived of spec.columns) {
    const column = problems
      ? problems.attempt(() => deriveOne(spec, columns, all, derived, rowCount), derived.name)
      : deriveOne(spec, columns, all, derived, rowCount);
    if (column !== undefined) all.push(column);
  }
  return all;
}

/** One derived column, computed over `all` (the table's columns and earlier derived ones). */
function deriveOne(
  spec: ReportSpec,
  columns: readonly Column[],
  all: readonly Column[],
  derived: ReportSpec["columns"][number],
  rowCount: number,
): Column {
  if (columns.some((c) => c.name === derived.name)) {
    throw specError(
      spec,
      derived.path,
      `'${derived.name}' is already a column of the data, so a derived column cannot take its name`,
      `Give the derived column a name of its own, e.g. ${derived.name}_2: "${derived.expr}".`,
    );
  }
  let vector: Vector;
  try {
    const checked = checkExpr(derived.ast, columnInfos(all), "row");
    vector = evaluate(checked, tableFrame(all, rowCount));
  } catch (error) {
    if (error instanceof ExprError) throw exprError(spec, derived.path, derived.expr, error);
    throw error;
  }
  return asColumn(derived.name, vector);
}

/** A vector named as a column, with its missing values counted. */
function asColumn(name: string, v: Vector): Column {
  if (v.kind === "category") {
    let missing = 0;
    for (const code of v.codes) if (code < 0) missing++;
    return { kind: "category", name, type: v.type, codes: v.codes, labels: v.labels, missing };
  }
  let missing = 0;
  if (v.valid !== null) for (const ok of v.valid) if (ok === 0) missing++;
  return {
    kind: "number",
    name,
    type: v.type,
    values: v.values,
    valid: missing === 0 ? null : v.valid,
    missing,
    infinite: 0,
  };
}
