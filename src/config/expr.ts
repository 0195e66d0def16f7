// The definition's expressions, read through the one expression parser (src/expr/parse.ts):
// filters, measures and KPI values, derived columns, group keys and sort keys. Each reader
// returns the parsed parts or throws ExprError (with the span of the offending token); the
// caller adds the file, line, column and field path (config/query.ts, parseAt).
import { didYouMean } from "../closest.ts";
import { type Expr, type FunctionName, isAggregate } from "../expr/ast.ts";
import { checkPlacement } from "../expr/check.ts";
import { ExprError } from "../expr/error.ts";
import { parseExpr } from "../expr/parse.ts";
import { TIME_UNITS } from "../vocabulary.ts";
import type { MeasureOp, TimeUnit } from "./spec.ts";

export { ExprError } from "../expr/error.ts";
export { parseSortKey } from "../expr/parse.ts";

/** The measure op of a plain aggregate (avg is mean). */
const OPS: Partial<Record<FunctionName, MeasureOp>> = {
  count: "count",
  count_distinct: "count_distinct",
  sum: "sum",
  avg: "mean",
  min: "min",
  max: "max",
  median: "median",
};

/**
 * A measure or KPI value: any expression over aggregates (`sum(revenue) / count()`); `op` and
 * `column` are set when it is one aggregate of a column (or `count()`).
 */
export function parseMeasure(text: string): { ast: Expr; op?: MeasureOp; column?: string } {
  const ast = parseExpr(text);
  if (ast.kind === "column") {
    throw new ExprError(
      `'${ast.name}' is a column, not a measure; aggregate it, e.g. sum(${ast.name})`,
      ast.span,
      "A measure is count(), count(col), sum(col), avg(col), min, max, median, count_distinct(col), or arithmetic on them: sum(revenue) / count().",
    );
  }
  checkPlacement(ast, "aggregate");
  if (ast.kind !== "call" || !isAggregate(ast.name)) return { ast };
  const op = OPS[ast.name];
  if (op === undefined) return { ast };
  const [arg] = ast.args;
  if (arg === undefined) return { ast, op };
  return arg.kind === "column" ? { ast, op, column: arg.name } : { ast };
}

/** A filter condition (or a derived column's expression): row-wise, no aggregates. */
export function parseRowExpr(text: string): Expr {
  const ast = parseExpr(text);
  checkPlacement(ast, "row");
  return ast;
}

/** Parse a group key: `region` or `month(order_date)`; its default name is the column or unit. */
export function parseGroupKey(text: string): { column: string; unit?: TimeUnit } {
  const ast = parseExpr(text);
  if (ast.kind === "column") return { column: ast.name };
  const hint = `Group by a column (region), a time bucket such as month(order_date), or a derived column (columns: in the definition) for anything else.`;
  if (ast.kind === "call") {
    const unit = TIME_UNITS.find((u) => u === ast.name);
    if (unit === undefined) {
      throw new ExprError(
        `'${ast.name}' is not a time bucket${didYouMean(ast.name, TIME_UNITS)}`,
        ast.nameSpan,
        `Time buckets are ${TIME_UNITS.map((u) => `${u}(col)`).join(", ")}. ${hint}`,
      );
    }
    const [arg] = ast.args;
    if (arg?.kind === "column") return { column: arg.name, unit };
    throw new ExprError(`${unit}() groups by a date column`, arg?.span ?? ast.span, hint);
  }
  throw new ExprError("a group key is a column or a time bucket", ast.span, hint);
}
