// Row filters with SQL semantics: a missing value fails every test except `is null`
// (so `!=` and `not in` drop nulls too, as a SQL engine would).

import { assertNever } from "../assert-never.ts";
import { isTemporal } from "../column-type.ts";
import type { Filter, ReportSpec, Scalar } from "../config/spec.ts";
import { parseIso } from "../time-buckets.ts";
import type { CompareOp } from "../vocabulary.ts";
import type { CategoryColumn, Column, NumberColumn } from "./columns.ts";
import { findColumn, specError } from "./spec-error.ts";

/** Indices of the rows of `columns` that pass every filter, ascending. */
export function selectRows(
  columns: readonly Column[],
  rowCount: number,
  filters: readonly Filter[],
  spec: ReportSpec,
): Uint32Array {
  let rows = new Uint32Array(rowCount);
  for (let i = 0; i < rowCount; i++) rows[i] = i;
  for (const filter of filters) {
    const column = findColumn(columns, filter.column, spec, filter.path);
    const keep = rowTest(column, filter, spec);
    let k = 0;
    for (let i = 0; i < rows.length; i++) if (keep(rows[i])) rows[k++] = rows[i];
    rows = rows.slice(0, k);
  }
  return rows;
}

function rowTest(column: Column, filter: Filter, spec: ReportSpec): (row: number) => boolean {
  if (filter.op === "is null" || filter.op === "is not null") {
    const wanted = filter.op === "is not null";
    if (column.kind === "category") return (row) => column.codes[row] >= 0 === wanted;
    const { valid } = column;
    return valid === null ? () => wanted : (row) => (valid[row] === 1) === wanted;
  }
  const operands = operandsOf(filter, spec);
  if (column.kind === "category" && column.type === "string") {
    // An unquoted number has lost its spelling (02134 → 2134, 1.50 → 1.5), so it could
    // silently match nothing in a text column of codes.
    const number = operands.find((v) => typeof v === "number");
    if (number !== undefined) {
      throw specError(
        spec,
        filter.path,
        `${filter.expr}: '${column.name}' is a text column, so compare it with quoted text.`,
        `Quote the value as it is written in the data, e.g. ${column.name} = '${number}'.`,
      );
    }
  }
  return column.kind === "category"
    ? categoryTest(column, filter.op, operands.map(String))
    : numberTest(
        column,
        filter.op,
        operands.map((v) => toNumber(column, v, filter, spec)),
      );
}

/** The filter's value(s): an array for `in`/`not in` (a lone scalar is a list of one). */
function operandsOf(filter: Filter, spec: ReportSpec): Scalar[] {
  const { value } = filter;
  const listOp = filter.op === "in" || filter.op === "not in";
  if (value === undefined)
    throw specError(spec, filter.path, `'${filter.op}' needs a value to compare with.`);
  if (Array.isArray(value)) {
    if (!listOp)
      throw specError(spec, filter.path, `'${filter.op}' compares with one value, not a list.`);
    return value;
  }
  return [value];
}

function toNumber(column: NumberColumn, value: Scalar, filter: Filter, spec: ReportSpec): number {
  const fail = (expected: string) =>
    specError(
      spec,
      filter.path,
      `column '${column.name}' is ${column.type}, so ${expected}; got ${JSON.stringify(value)}.`,
    );
  if (isTemporal(column.type)) {
    const ms = typeof value === "string" ? parseIso(value) : undefined;
    if (ms === undefined)
      throw fail("compare it with an ISO date such as '2024-01-31' or '2024-01-31T12:00:00Z'");
    return ms;
  }
  if (column.type === "boolean") {
    if (typeof value === "boolean") return value ? 1 : 0;
    const text = String(value).toLowerCase();
    if (text === "true") return 1;
    if (text === "false") return 0;
    throw fail("compare it with true or false");
  }
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && value.trim() !== ""
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(n)) throw fail("compare it with a number");
  return n;
}

function numberTest(
  column: NumberColumn,
  op: CompareOp,
  operands: number[],
): (row: number) => boolean {
  const { values, valid } = column;
  const present = valid === null ? () => true : (row: number) => valid[row] === 1;
  const target = operands[0];
  switch (op) {
    case "=":
      return (row) => present(row) && values[row] === target;
    case "!=":
      return (row) => present(row) && values[row] !== target;
    case "<":
      return (row) => present(row) && values[row] < target;
    case "<=":
      return (row) => present(row) && values[row] <= target;
    case ">":
      return (row) => present(row) && values[row] > target;
    case ">=":
      return (row) => present(row) && values[row] >= target;
    case "in":
    case "not in": {
      const set = new Set(operands);
      const inside = op === "in";
      return (row) => present(row) && set.has(values[row]) === inside;
    }
    default:
      return assertNever(op, "filter op");
  }
}

/** String tests are decided once per distinct label, then looked up per row by code. */
function categoryTest(
  column: CategoryColumn,
  op: CompareOp,
  operands: string[],
): (row: number) => boolean {
  const target = operands[0];
  const set = new Set(operands);
  const test = (label: string): boolean => {
    switch (op) {
      case "=":
        return label === target;
      case "!=":
        return label !== target;
      case "<":
        return label < target;
      case "<=":
        return label <= target;
      case ">":
        return label > target;
      case ">=":
        return label >= target;
      case "in":
        return set.has(label);
      case "not in":
        return !set.has(label);
      default:
        return assertNever(op, "filter op");
    }
  };
  const pass = Uint8Array.from(column.labels, (label) => (test(label) ? 1 : 0));
  const { codes } = column;
  return (row) => codes[row] >= 0 && pass[codes[row]] === 1;
}
