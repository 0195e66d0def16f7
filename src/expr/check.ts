// The type checker: an expression against the table's columns, before anything is evaluated.
// It finds unknown columns and functions (with did-you-mean), operands of the wrong type,
// aggregates where rows are expected (and bare columns where an aggregate is), and gives
// every node its result type. Text compared with a date or timestamp is read as one
// (`order_date >= '2024-01-01'` means `date '2024-01-01'`), so the tree it returns may differ
// from the parsed one in those literals.
import { didYouMean } from "../closest.ts";
import type { ColumnType } from "../column-type.ts";
import { parseIso } from "../time-buckets.ts";
import {
  COMPARISON_OPS,
  children,
  DATE_PARTS,
  type Expr,
  type FunctionName,
  isAggregate,
  type Span,
} from "./ast.ts";
import { ExprError } from "./error.ts";

/** A value's type: a column type, or `null` for the bare null literal (fits anywhere). */
export type ExprType = ColumnType | "null";

/** A column the expression may read. */
export interface ColumnInfo {
  name: string;
  type: ColumnType;
}

/** Where an expression stands: a row-wise value (filters, derived columns) or an aggregate. */
export type ExprContext = "row" | "aggregate";

/** A checked expression: the (possibly rewritten) tree and the type of each of its nodes. */
export interface Checked {
  expr: Expr;
  type: ExprType;
  types: ReadonlyMap<Expr, ExprType>;
}

/** How many column names an "unknown column" hint lists. */
const LISTED = 30;

/** Checks `expr` against `columns` in `context`; throws ExprError at the offending node. */
export function checkExpr(
  expr: Expr,
  columns: readonly ColumnInfo[],
  context: ExprContext,
): Checked {
  const checker = new TypeChecker(columns, context);
  const checked = checker.check(expr, false);
  return { expr: checked, type: checker.types.get(checked) ?? "null", types: checker.types };
}

/** Checks a filter: the expression must be a condition (boolean). */
export function checkCondition(expr: Expr, columns: readonly ColumnInfo[]): Checked {
  const checked = checkExpr(expr, columns, "row");
  if (checked.type !== "boolean" && checked.type !== "null") {
    throw new ExprError(
      `a filter must be a condition (true or false), but this is ${typeName(checked.type)}`,
      expr.span,
      "Compare it with something, e.g. revenue > 0, or region = 'Europe'.",
    );
  }
  return checked;
}

/** How a type reads in messages. */
export function typeName(type: ExprType): string {
  switch (type) {
    case "string":
      return "text";
    case "float":
      return "a number";
    case "integer":
      return "an integer";
    case "boolean":
      return "true/false";
    case "date":
      return "a date";
    case "timestamp":
      return "a timestamp";
    case "null":
      return "null";
  }
}

const NUMERIC: readonly ExprType[] = ["integer", "float"];

function isNumber(type: ExprType): boolean {
  return type === "null" || NUMERIC.includes(type);
}

function isTime(type: ExprType): type is "date" | "timestamp" {
  return type === "date" || type === "timestamp";
}

/** The common type of two values that may be compared, combined or chosen between. */
function unify(a: ExprType, b: ExprType): ExprType | undefined {
  if (a === "null") return b;
  if (b === "null" || a === b) return a;
  if (NUMERIC.includes(a) && NUMERIC.includes(b)) return "float";
  if (isTime(a) && isTime(b)) return "timestamp";
  return undefined;
}

class TypeChecker {
  readonly types = new Map<Expr, ExprType>();
  private readonly names: string[];
  constructor(
    private readonly columns: readonly ColumnInfo[],
    private readonly context: ExprContext,
  ) {
    this.names = columns.map((c) => c.name);
  }

  private typed(node: Expr, type: ExprType): Expr {
    this.types.set(node, type);
    return node;
  }

  type(node: Expr): ExprType {
    return this.types.get(node) ?? "null";
  }

  /** The checked copy of `node`; `inAggregate` is true inside an aggregate's argument. */
  check(node: Expr, inAggregate: boolean): Expr {
    const sub = (child: Expr) => this.check(child, inAggregate);
    switch (node.kind) {
      case "column": {
        const column = this.columns.find((c) => c.name === node.name);
        if (column === undefined) throw this.unknownColumn(node.name, node.span);
        if (this.context === "aggregate" && !inAggregate) {
          throw new ExprError(
            `column '${node.name}' must be aggregated here`,
            node.span,
            `A measure or KPI value is one number per group: use an aggregate such as sum(${node.name}), max(${node.name}) or count_distinct(${node.name}).`,
          );
        }
        return this.typed({ ...node }, column.type);
      }
      case "literal": {
        const type: ExprType =
          node.type === "double" ? "float" : node.type === "varchar" ? "string" : node.type;
        return this.typed({ ...node }, type);
      }
      case "negate": {
        const arg = sub(node.arg);
        this.need(arg, isNumber, "a number", "-");
        return this.typed({ ...node, arg }, this.type(arg));
      }
      case "not": {
        const arg = sub(node.arg);
        this.needBoolean(arg, "not");
        return this.typed({ ...node, arg }, "boolean");
      }
      case "binary":
        return this.binary(node, inAggregate);
      case "is_null":
        return this.typed({ ...node, arg: sub(node.arg) }, "boolean");
      case "in": {
        const arg = sub(node.arg);
        const list = node.list.map((item) => this.comparable(arg, sub(item), "in"));
        return this.typed({ ...node, arg, list }, "boolean");
      }
      case "between": {
        const arg = sub(node.arg);
        const low = this.comparable(arg, sub(node.low), "between");
        const high = this.comparable(arg, sub(node.high), "between");
        return this.typed({ ...node, arg, low, high }, "boolean");
      }
      case "like": {
        const arg = sub(node.arg);
        const pattern = sub(node.pattern);
        this.needText(arg, "like");
        this.needText(pattern, "like");
        return this.typed({ ...node, arg, pattern }, "boolean");
      }
      case "case":
        return this.caseExpr(node, inAggregate);
      case "cast":
        return this.cast(node, inAggregate);
      case "call":
        return this.call(node, inAggregate);
    }
  }

  private binary(node: Expr & { kind: "binary" }, inAggregate: boolean): Expr {
    const left = this.check(node.left, inAggregate);
    let right = this.check(node.right, inAggregate);
    const op = node.op;
    switch (op) {
      case "and":
      case "or":
        this.needBoolean(left, op);
        this.needBoolean(right, op);
        return this.typed({ ...node, left, right }, "boolean");
      case "||":
        this.needText(left, "||");
        this.needText(right, "||");
        return this.typed({ ...node, left, right }, "string");
      case "+":
      case "-":
      case "*":
      case "/":
      case "%": {
        this.need(left, isNumber, "a number", op);
        this.need(right, isNumber, "a number", op);
        const type =
          this.type(left) === "float" || this.type(right) === "float"
            ? "float"
            : this.type(left) === "null" && this.type(right) === "null"
              ? "null"
              : "integer";
        return this.typed({ ...node, left, right }, type);
      }
      default: {
        nullComparison(left, right, op);
        // 'text' beside a date reads as a date, whichever side it is on.
        const newLeft = this.coerced(left, this.type(right));
        right = this.comparable(newLeft, right, op);
        return this.typed({ ...node, left: newLeft, right }, "boolean");
      }
    }
  }

  /**
   * `other` checked as comparable with `base`: text literals become dates or timestamps
   * beside one; anything else of a type that cannot be compared is an error at `other`.
   */
  private comparable(base: Expr, other: Expr, op: string): Expr {
    const a = this.type(base);
    other = this.coerced(other, a);
    const b = this.type(other);
    if (unify(a, b) !== undefined) return other;
    const hint =
      a === "string" && NUMERIC.includes(b)
        ? `Quote the value as it is written in the data: '${other.kind === "literal" ? other.value : "…"}'.`
        : NUMERIC.includes(a) && b === "string"
          ? "Write numbers without quotes, or cast(x as double)."
          : a === "boolean"
            ? "Compare with true or false."
            : undefined;
    throw new ExprError(
      `cannot compare ${typeName(a)}${describe(base)} with ${typeName(b)}${describe(other)} using ${op}`,
      other.span,
      hint,
    );
  }

  /**
   * A text literal beside a value of another type, read as that type: '2024-01-31' beside a
   * date is a date, '3.5' beside a number a number, 'true' beside a boolean a boolean (text
   * that is none of these is an error at the literal). Anything else is returned as it is.
   */
  private coerced(node: Expr, type: ExprType): Expr {
    if (node.kind !== "literal" || node.type !== "varchar") return node;
    const text = String(node.value).trim();
    if (isTime(type)) return this.timeLiteral(node, type);
    if (type === "integer" || type === "float") {
      const value = text === "" ? Number.NaN : Number(text);
      if (!Number.isFinite(value)) {
        throw new ExprError(
          `'${node.value}' is not a number`,
          node.span,
          "Write numbers without quotes: qty > 3.",
        );
      }
      const literalType = /^[+-]?\d+$/.test(text) ? "integer" : "double";
      return this.typed(
        { ...node, type: literalType, value },
        literalType === "integer" ? "integer" : "float",
      );
    }
    if (type === "boolean") {
      const lower = text.toLowerCase();
      if (lower !== "true" && lower !== "false") {
        throw new ExprError(
          `'${node.value}' is not true or false`,
          node.span,
          "Compare with true or false, unquoted.",
        );
      }
      return this.typed({ ...node, type: "boolean", value: lower === "true" }, "boolean");
    }
    return node;
  }

  /** 'YYYY-MM-DD' (or with a time) beside a date or timestamp, read as one. */
  private timeLiteral(node: Expr & { kind: "literal" }, type: "date" | "timestamp"): Expr {
    const text = String(node.value);
    const ms = parseIso(text);
    if (!/^\d{4}-\d{2}-\d{2}/.test(text) || ms === undefined) {
      throw new ExprError(
        `'${text}' is not a date`,
        node.span,
        "Compare dates with ISO text such as '2024-01-31' or date '2024-01-31'.",
      );
    }
    const isDateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text.trim());
    const literalType = isDateOnly && type === "date" ? "date" : "timestamp";
    const value =
      literalType === "date"
        ? text.trim()
        : new Date(ms).toISOString().replace("T", " ").replace("Z", "");
    return this.typed({ ...node, type: literalType, value }, literalType);
  }

  private caseExpr(node: Expr & { kind: "case" }, inAggregate: boolean): Expr {
    const operand = node.operand === undefined ? undefined : this.check(node.operand, inAggregate);
    let result: ExprType = "null";
    const whens = node.whens.map(({ when, result: value }) => {
      let checkedWhen = this.check(when, inAggregate);
      if (operand === undefined) this.needBoolean(checkedWhen, "when");
      else checkedWhen = this.comparable(operand, checkedWhen, "case");
      const checkedThen = this.check(value, inAggregate);
      result = this.unifyOrFail(result, checkedThen, "then");
      return { when: checkedWhen, result: checkedThen };
    });
    const copy: Expr = { ...node, whens };
    if (operand !== undefined) copy.operand = operand;
    if (node.otherwise !== undefined) {
      const otherwise = this.check(node.otherwise, inAggregate);
      result = this.unifyOrFail(result, otherwise, "else");
      copy.otherwise = otherwise;
    }
    return this.typed(copy, result);
  }

  private unifyOrFail(type: ExprType, node: Expr, what: string): ExprType {
    const unified = unify(type, this.type(node));
    if (unified === undefined) {
      throw new ExprError(
        `every branch must give the same type, but this ${what} gives ${typeName(this.type(node))} and an earlier one ${typeName(type)}`,
        node.span,
        "Cast the branches to one type, e.g. cast(x as varchar).",
      );
    }
    return unified;
  }

  private cast(node: Expr & { kind: "cast" }, inAggregate: boolean): Expr {
    const arg = this.check(node.arg, inAggregate);
    const from = this.type(arg);
    const ok =
      from === "null" ||
      node.to === "varchar" ||
      from === "string" ||
      (isNumber(from) &&
        (node.to === "double" || node.to === "integer" || node.to === "boolean")) ||
      (from === "boolean" &&
        (node.to === "double" || node.to === "integer" || node.to === "boolean")) ||
      (isTime(from) && (node.to === "date" || node.to === "timestamp"));
    if (!ok) {
      throw new ExprError(`cannot cast ${typeName(from)} to ${node.to}`, node.span);
    }
    const to: ExprType =
      node.to === "double" ? "float" : node.to === "varchar" ? "string" : node.to;
    return this.typed({ ...node, arg }, to);
  }

  private call(node: Expr & { kind: "call" }, inAggregate: boolean): Expr {
    const { name } = node;
    const aggregate = isAggregate(name);
    if (aggregate) {
      if (this.context === "row") {
        throw new ExprError(
          `${name}() aggregates many rows, so it cannot be used here`,
          node.nameSpan,
          "Filters and derived columns work on one row at a time; aggregates belong in measures and KPI values.",
        );
      }
      if (inAggregate) {
        throw new ExprError(
          `${name}() is inside another aggregate`,
          node.nameSpan,
          "Aggregates do not nest.",
        );
      }
    }
    const args = node.args.map((arg, i) =>
      // The unit of date_trunc and date_diff is a word, not a value of the rows.
      (name === "date_trunc" || name === "date_diff") && i === 0
        ? this.datePart(arg)
        : this.check(arg, inAggregate || aggregate),
    );
    const copy = { ...node, args };
    const t = (i: number) => this.type(args[i]);
    switch (name) {
      case "count":
      case "count_distinct":
        return this.typed(copy, "integer");
      case "sum":
        this.need(args[0], (x) => isNumber(x) || x === "boolean", "numbers (or true/false)", name);
        return this.typed(copy, t(0) === "float" ? "float" : "integer");
      case "avg":
      case "stddev":
        this.need(args[0], (x) => isNumber(x) || x === "boolean", "numbers (or true/false)", name);
        return this.typed(copy, "float");
      case "median":
        this.need(args[0], (x) => isNumber(x) || isTime(x), "numbers, dates or timestamps", name);
        return this.typed(copy, isTime(t(0)) ? t(0) : "float");
      case "min":
      case "max":
        return this.typed(copy, t(0));
      case "coalesce":
      case "greatest":
      case "least": {
        let type: ExprType = "null";
        for (const arg of args) type = this.unifyOrFail(type, arg, `argument of ${name}()`);
        return this.typed(copy, type);
      }
      case "nullif":
        copy.args = [args[0], this.comparable(args[0], args[1], "nullif")];
        return this.typed(copy, t(0));
      case "lower":
      case "upper":
      case "trim":
        this.needText(args[0], name);
        return this.typed(copy, "string");
      case "length":
        this.needText(args[0], name);
        return this.typed(copy, "integer");
      case "substr":
        this.needText(args[0], name);
        for (const arg of args.slice(1))
          this.need(arg, (x) => x === "integer" || x === "null", "an integer", name);
        return this.typed(copy, "string");
      case "concat":
      case "replace":
        for (const arg of args) this.needText(arg, name);
        return this.typed(copy, "string");
      case "starts_with":
        for (const arg of args) this.needText(arg, name);
        return this.typed(copy, "boolean");
      case "abs":
      case "floor":
      case "ceil":
        this.need(args[0], isNumber, "a number", name);
        return this.typed(copy, t(0));
      case "round":
        this.need(args[0], isNumber, "a number", name);
        if (args.length > 1)
          this.need(
            args[1],
            (x) => x === "integer" || x === "null",
            "an integer number of digits",
            name,
          );
        return this.typed(copy, t(0));
      case "sqrt":
      case "ln":
      case "exp":
      case "power":
        for (const arg of args) this.need(arg, isNumber, "a number", name);
        return this.typed(copy, "float");
      case "year":
      case "quarter":
      case "month":
      case "week":
      case "day":
      case "day_of_week":
        this.need(args[0], (x) => isTime(x) || x === "null", "a date or timestamp", name);
        return this.typed(copy, "integer");
      case "date_trunc":
        this.need(args[1], (x) => isTime(x) || x === "null", "a date or timestamp", name);
        return this.typed(copy, t(1) === "null" ? "date" : t(1));
      case "date_diff":
        for (const arg of args.slice(1))
          this.need(arg, (x) => isTime(x) || x === "null", "a date or timestamp", name);
        return this.typed(copy, "integer");
    }
  }

  /** The unit argument of date_trunc / date_diff: one of DATE_PARTS, quoted. */
  private datePart(arg: Expr): Expr {
    if (arg.kind === "literal" && arg.type === "varchar") {
      const part = String(arg.value).toLowerCase();
      if ((DATE_PARTS as readonly string[]).includes(part))
        return this.typed({ ...arg, value: part }, "string");
    }
    throw new ExprError(
      "expected a unit in quotes",
      arg.span,
      `Units are ${DATE_PARTS.map((p) => `'${p}'`).join(", ")}, e.g. date_trunc('month', order_date).`,
    );
  }

  private need(node: Expr, ok: (type: ExprType) => boolean, wanted: string, op: string): void {
    const type = this.type(node);
    if (ok(type)) return;
    const fn =
      /^[a-z_]+$/.test(op) &&
      op !== "not" &&
      op !== "and" &&
      op !== "or" &&
      op !== "like" &&
      op !== "when";
    throw new ExprError(
      `${fn ? `${op}()` : `'${op}'`} needs ${wanted}, but ${describeNode(node)} is ${typeName(type)}`,
      node.span,
      type === "string" && wanted.includes("number")
        ? fn && isAggregate(op as FunctionName)
          ? "Use count(), count_distinct(), min() or max() for text, or cast(x as double) when it holds numbers."
          : "Convert text that holds numbers with cast(x as double)."
        : undefined,
    );
  }

  private needBoolean(node: Expr, op: string): void {
    this.need(node, (x) => x === "boolean" || x === "null", "a condition (true/false)", op);
  }

  private needText(node: Expr, op: string): void {
    this.need(node, (x) => x === "string" || x === "null", "text", op);
  }

  private unknownColumn(name: string, span: Span): ExprError {
    const listed = this.names.slice(0, LISTED).map((c) => `'${c}'`);
    if (this.names.length > LISTED) listed.push(`and ${this.names.length - LISTED} more`);
    return new ExprError(
      `unknown column '${name}'${didYouMean(name, this.names)}`,
      span,
      this.names.length === 0
        ? "The table has no columns."
        : `Columns: ${listed.join(", ")}. Names with spaces or symbols go in double quotes ("unit price"); text values in single quotes ('${name.replaceAll("'", "''")}').`,
    );
  }
}

/** " 'region'" for a column, "" for anything else, to name an operand in a message. */
function describe(node: Expr): string {
  return node.kind === "column"
    ? ` '${node.name}'`
    : node.kind === "literal" && node.type === "varchar"
      ? ` '${node.value}'`
      : "";
}

function describeNode(node: Expr): string {
  if (node.kind === "column") return `'${node.name}'`;
  if (node.kind === "literal")
    return node.type === "varchar" ? `'${node.value}'` : String(node.value);
  return "this";
}

/**
 * Checks where aggregates stand, before the columns are known: none in row-wise expressions,
 * none inside another, and in aggregate expressions no column outside one.
 */
export function checkPlacement(expr: Expr, context: ExprContext): void {
  const visit = (node: Expr, inAggregate: boolean): void => {
    if (node.kind === "column" && context === "aggregate" && !inAggregate) {
      throw new ExprError(
        `column '${node.name}' must be aggregated here`,
        node.span,
        `A measure or KPI value is one number per group: use an aggregate such as sum(${node.name}), max(${node.name}) or count_distinct(${node.name}).`,
      );
    }
    const aggregate = node.kind === "call" && isAggregate(node.name);
    if (aggregate && context === "row") {
      throw new ExprError(
        `${node.name}() aggregates many rows, so it cannot be used here`,
        node.nameSpan,
        "Filters and derived columns work on one row at a time; aggregates belong in measures and KPI values.",
      );
    }
    if (aggregate && inAggregate) {
      throw new ExprError(
        `${node.name}() is inside another aggregate`,
        node.nameSpan,
        "Aggregates do not nest.",
      );
    }
    if (node.kind === "binary" && (COMPARISON_OPS as readonly string[]).includes(node.op))
      nullComparison(node.left, node.right, node.op);
    for (const child of children(node)) visit(child, inAggregate || aggregate);
  };
  visit(expr, false);
}

/** `x = null` is never true: an error pointing at the null, suggesting `is null`. */
function nullComparison(left: Expr, right: Expr, op: string): void {
  for (const side of [left, right]) {
    if (side.kind === "literal" && side.type === "null") {
      throw new ExprError(
        `compare with null using 'is null' or 'is not null', not '${op} null'`,
        side.span,
        "Anything compared with null is null (unknown), so no row would pass.",
      );
    }
  }
}
