// The typed syntax tree of the expression language (docs/report-definition.md, "Expressions"):
// what src/expr/parse.ts produces and every back end (the type checker, the column-wise
// evaluator, the SQL printer) reads. Each node keeps the span of text it came from, so an
// error can put a caret under the offending token.

/** Character offsets [start, end) into the expression text. */
export interface Span {
  start: number;
  end: number;
}

/** Types a literal can have; `null` is the untyped null literal. */
export const LITERAL_TYPES = [
  "integer",
  "double",
  "varchar",
  "boolean",
  "date",
  "timestamp",
  "null",
] as const;
export type LiteralType = (typeof LITERAL_TYPES)[number];

/** Types `cast(x as …)` may name (Trino spellings). */
export const CAST_TYPES = ["double", "integer", "varchar", "date", "timestamp", "boolean"] as const;
export type CastType = (typeof CAST_TYPES)[number];

/** Binary operators, spelled as the SQL printer writes them (`!=` is read as `<>`). */
export const ARITHMETIC_OPS = ["+", "-", "*", "/", "%"] as const;
export type ArithmeticOp = (typeof ARITHMETIC_OPS)[number];
export const COMPARISON_OPS = ["=", "<>", "<", "<=", ">", ">="] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];
export const LOGICAL_OPS = ["and", "or"] as const;
export type LogicalOp = (typeof LOGICAL_OPS)[number];
export type BinaryOp = ArithmeticOp | ComparisonOp | LogicalOp | "||";

/** Aggregate functions (measures and KPI values); `count_distinct(x)` is `count(distinct x)`. */
export const AGGREGATE_FUNCTIONS = [
  "count",
  "count_distinct",
  "sum",
  "avg",
  "min",
  "max",
  "median",
  "stddev",
] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

/** Scalar functions, by their canonical (Trino) name. */
export const SCALAR_FUNCTIONS = [
  "coalesce",
  "nullif",
  "lower",
  "upper",
  "length",
  "trim",
  "substr",
  "concat",
  "replace",
  "starts_with",
  "abs",
  "round",
  "floor",
  "ceil",
  "sqrt",
  "ln",
  "exp",
  "power",
  "greatest",
  "least",
  "year",
  "quarter",
  "month",
  "week",
  "day",
  "day_of_week",
  "date_trunc",
  "date_diff",
] as const;
export type ScalarFunction = (typeof SCALAR_FUNCTIONS)[number];

export type FunctionName = AggregateFunction | ScalarFunction;

/** Other spellings a definition may use, and the canonical name each stands for. */
export const FUNCTION_ALIASES: Readonly<Record<string, FunctionName>> = {
  mean: "avg",
  ceiling: "ceil",
  pow: "power",
  substring: "substr",
  dow: "day_of_week",
  day_of_month: "day",
  stddev_samp: "stddev",
};

/** Units of `date_trunc` and `date_diff`. */
export const DATE_PARTS = ["day", "week", "month", "quarter", "year"] as const;
export type DatePart = (typeof DATE_PARTS)[number];

export type LiteralValue = number | string | boolean | null;

export type Expr =
  | { kind: "column"; name: string; span: Span }
  /** Dates and timestamps hold their ISO text; integers and doubles a number. */
  | { kind: "literal"; type: LiteralType; value: LiteralValue; span: Span }
  | { kind: "negate"; arg: Expr; span: Span }
  | { kind: "not"; arg: Expr; span: Span }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr; span: Span }
  | { kind: "is_null"; arg: Expr; negated: boolean; span: Span }
  | { kind: "in"; arg: Expr; list: Expr[]; negated: boolean; span: Span }
  | { kind: "between"; arg: Expr; low: Expr; high: Expr; negated: boolean; span: Span }
  | { kind: "like"; arg: Expr; pattern: Expr; negated: boolean; span: Span }
  | {
      kind: "case";
      /** `case x when 1 then …` compares x with each `when`; absent for `case when cond …`. */
      operand?: Expr;
      whens: { when: Expr; result: Expr }[];
      otherwise?: Expr;
      span: Span;
    }
  | { kind: "cast"; arg: Expr; to: CastType; span: Span }
  /** `count(*)` and `count()` are count with no arguments. `name` spans the function name. */
  | { kind: "call"; name: FunctionName; args: Expr[]; span: Span; nameSpan: Span };

export type ExprKind = Expr["kind"];

/** True for the aggregate functions. */
export function isAggregate(name: FunctionName): name is AggregateFunction {
  return (AGGREGATE_FUNCTIONS as readonly string[]).includes(name);
}

/** Calls `visit` on `expr` and every node below it, parents first. */
export function walk(expr: Expr, visit: (node: Expr) => void): void {
  visit(expr);
  for (const child of children(expr)) walk(child, visit);
}

/** The direct sub-expressions of a node, in source order. */
export function children(expr: Expr): Expr[] {
  switch (expr.kind) {
    case "column":
    case "literal":
      return [];
    case "negate":
    case "not":
    case "is_null":
    case "cast":
      return [expr.arg];
    case "binary":
      return [expr.left, expr.right];
    case "in":
      return [expr.arg, ...expr.list];
    case "between":
      return [expr.arg, expr.low, expr.high];
    case "like":
      return [expr.arg, expr.pattern];
    case "case":
      return [
        ...(expr.operand === undefined ? [] : [expr.operand]),
        ...expr.whens.flatMap((w) => [w.when, w.result]),
        ...(expr.otherwise === undefined ? [] : [expr.otherwise]),
      ];
    case "call":
      return expr.args;
  }
}

/** Names of the columns an expression reads, each once, in order of appearance. */
export function columnsOf(expr: Expr): string[] {
  const names: string[] = [];
  walk(expr, (node) => {
    if (node.kind === "column" && !names.includes(node.name)) names.push(node.name);
  });
  return names;
}

/** True when the expression contains an aggregate call. */
export function hasAggregate(expr: Expr): boolean {
  let found = false;
  walk(expr, (node) => {
    if (node.kind === "call" && isAggregate(node.name)) found = true;
  });
  return found;
}
