// The SQL back end: prints any expression tree as Trino SQL (the dialect Athena speaks).
// Identifiers are always double-quoted with `"` doubled and text always single-quoted with
// `'` doubled, and every compound sub-expression is parenthesized, so no column name or
// value can change what the SQL means, and the printed text parses back to the same tree.
// Given the checker's node types, the aggregates that count a boolean as 0/1 (sum, avg,
// stddev: the number and share of trues, as the local engine computes them) cast it to
// BIGINT, since Trino's take only numbers.
import type { CastType, Expr, FunctionName } from "./ast.ts";
import type { ExprType } from "./check.ts";

/**
 * A dialect's say over one node: return its SQL, or undefined to print it as Trino does.
 * `print` prints a child node (with the same override).
 */
export type SqlOverride = (node: Expr, print: (child: Expr) => string) => string | undefined;

/** `"name"`, with any `"` inside doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `'text'`, with any `'` inside doubled. */
export function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

const CAST_SQL: Readonly<Record<CastType, string>> = {
  double: "DOUBLE",
  integer: "BIGINT",
  varchar: "VARCHAR",
  date: "DATE",
  timestamp: "TIMESTAMP",
  boolean: "BOOLEAN",
};

/** Aggregates whose boolean argument the local engine reads as 0/1 (src/summarize/measure.ts). */
const NUMERIC_AGGREGATES: ReadonlySet<FunctionName> = new Set(["sum", "avg", "stddev"]);

/**
 * Trino SQL for `expr`. `types` are the checker's types of its nodes (Checked.types, for the
 * checked tree): without them a boolean's sum, avg or stddev prints as SQL Trino rejects.
 */
export function toSql(
  expr: Expr,
  override?: SqlOverride,
  types?: ReadonlyMap<Expr, ExprType>,
): string {
  const print = (node: Expr): string => override?.(node, print) ?? printNode(node, print, types);
  return print(expr);
}

function printNode(
  expr: Expr,
  print: (child: Expr) => string,
  types: ReadonlyMap<Expr, ExprType> | undefined,
): string {
  switch (expr.kind) {
    case "column":
      return quoteIdentifier(expr.name);
    case "literal":
      return literalSql(expr);
    case "negate":
      return `(-${print(expr.arg)})`;
    case "not":
      return `(NOT ${print(expr.arg)})`;
    case "binary": {
      const op = expr.op === "and" || expr.op === "or" ? expr.op.toUpperCase() : expr.op;
      return `(${print(expr.left)} ${op} ${print(expr.right)})`;
    }
    case "is_null":
      return `(${print(expr.arg)} IS ${expr.negated ? "NOT " : ""}NULL)`;
    case "in":
      return `(${print(expr.arg)} ${expr.negated ? "NOT " : ""}IN (${expr.list.map(print).join(", ")}))`;
    case "between":
      return `(${print(expr.arg)} ${expr.negated ? "NOT " : ""}BETWEEN ${print(expr.low)} AND ${print(expr.high)})`;
    case "like":
      return `(${print(expr.arg)} ${expr.negated ? "NOT " : ""}LIKE ${print(expr.pattern)})`;
    case "case": {
      const parts = ["CASE"];
      if (expr.operand !== undefined) parts.push(print(expr.operand));
      for (const { when, result } of expr.whens)
        parts.push(`WHEN ${print(when)} THEN ${print(result)}`);
      if (expr.otherwise !== undefined) parts.push(`ELSE ${print(expr.otherwise)}`);
      parts.push("END");
      return `(${parts.join(" ")})`;
    }
    case "cast":
      return `TRY_CAST(${print(expr.arg)} AS ${CAST_SQL[expr.to]})`;
    case "call": {
      const counted = NUMERIC_AGGREGATES.has(expr.name);
      const args = expr.args.map((arg) =>
        counted && types?.get(arg) === "boolean" ? `CAST(${print(arg)} AS BIGINT)` : print(arg),
      );
      return callSql(expr.name, args);
    }
  }
}

function literalSql(expr: Expr & { kind: "literal" }): string {
  const { value } = expr;
  switch (expr.type) {
    case "null":
      return "NULL";
    case "boolean":
      return value === true ? "TRUE" : "FALSE";
    case "varchar":
      return quoteString(String(value));
    case "date":
      return `DATE ${quoteString(String(value))}`;
    case "timestamp":
      return `TIMESTAMP ${quoteString(String(value))}`;
    case "integer":
    case "double":
      return numberSql(Number(value), expr.type === "integer");
  }
}

/**
 * An integer as its digits; a double in exponent form (`1.5E0`), which Trino reads as DOUBLE
 * (a plain `1.5` would be a DECIMAL) and this language reads back as a double.
 */
function numberSql(value: number, integer: boolean): string {
  if (Number.isNaN(value)) return "nan()";
  if (!Number.isFinite(value)) return value > 0 ? "infinity()" : "(-infinity())";
  const sign = value < 0 || Object.is(value, -0) ? "-" : "";
  const magnitude = Math.abs(value);
  let text: string;
  if (integer && Number.isSafeInteger(magnitude)) {
    text = String(magnitude);
  } else {
    const [mantissa, exponent = "0"] = magnitude.toExponential().split("e");
    text = `${mantissa}E${Number(exponent)}`;
  }
  return sign === "" ? text : `(-${text})`;
}

function callSql(name: FunctionName, args: string[]): string {
  switch (name) {
    case "count":
      return args.length === 0 ? "count(*)" : `count(${args[0]})`;
    case "count_distinct":
      return `count(DISTINCT ${args[0]})`;
    case "median":
      // Trino has no exact median aggregate; approx_percentile is its nearest (docs).
      return `approx_percentile(${args[0]}, 5E-1)`;
    default:
      return `${name}(${args.join(", ")})`;
  }
}
