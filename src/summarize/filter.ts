// Row filters: each condition of a filter list is an expression (src/expr/), checked against
// the table's columns and evaluated column-wise. A row passes when every condition is true;
// false and null (unknown) both drop it, as SQL's WHERE does, so `x != 1` drops rows where x
// is missing.

import type { Filter, ReportSpec } from "../config/spec.ts";
import { type Checked, checkCondition } from "../expr/check.ts";
import { ExprError } from "../expr/error.ts";
import { type Frame, selectWhere } from "../expr/eval.ts";
import { type Column, settled } from "./columns.ts";
import { columnInfos, exprError } from "./spec-error.ts";

/** A row-wise frame over the table's columns, for evaluating expressions. */
export function tableFrame(columns: readonly Column[], rowCount: number): Frame {
  const byName = new Map(columns.map((c) => [c.name, c]));
  return {
    length: rowCount,
    column: (name) => {
      const column = byName.get(name);
      if (column === undefined)
        throw new Error(`column '${name}' passed the type check but is missing`);
      const plain = settled(column);
      byName.set(name, plain);
      return plain;
    },
  };
}

/** Type-checks a filter condition against the columns, as a located ReportError. */
export function checkFilter(filter: Filter, columns: readonly Column[], spec: ReportSpec): Checked {
  try {
    return checkCondition(filter.ast, columnInfos(columns));
  } catch (error) {
    if (error instanceof ExprError) throw exprError(spec, filter.path, filter.expr, error);
    throw error;
  }
}

/** Indices of the rows of `columns` that pass every filter, ascending. */
export function selectRows(
  columns: readonly Column[],
  rowCount: number,
  filters: readonly Filter[],
  spec: ReportSpec,
): Uint32Array {
  if (filters.length === 0) {
    const all = new Uint32Array(rowCount);
    for (let i = 0; i < rowCount; i++) all[i] = i;
    return all;
  }
  const frame = tableFrame(columns, rowCount);
  const passes = new Uint8Array(rowCount).fill(1);
  for (const filter of filters) {
    const checked = checkFilter(filter, columns, spec);
    const pass = new Uint8Array(rowCount);
    for (const row of selectWhere(checked, frame)) pass[row] = 1;
    for (let i = 0; i < rowCount; i++) passes[i] &= pass[i];
  }
  let k = 0;
  for (let i = 0; i < rowCount; i++) k += passes[i];
  const rows = new Uint32Array(k);
  k = 0;
  for (let i = 0; i < rowCount; i++) if (passes[i] === 1) rows[k++] = i;
  return rows;
}
