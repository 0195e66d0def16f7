// The column-wise back end: evaluates a checked expression over a frame of columns, one
// operator at a time over whole typed arrays (src/expr/vector.ts), never row objects. Text is
// worked on per distinct label where the other operands are constants (lower(region),
// region in (...), name like 'A%'), so a million rows of a few labels cost a few calls.
//
// SQL semantics: three-valued logic (null and false is false, null or true is true), null in
// → null out, integer division truncates. Deliberate differences from Trino, because a
// report should not stop on one odd row: division or modulo by zero, and results that are
// not finite (sqrt(-1), ln(0), overflow), are null; a cast that fails is null (try_cast).
import { isoDate } from "../calendar.ts";
import { parseIso } from "../time-buckets.ts";
import type { ArithmeticOp, ComparisonOp, DatePart, Expr } from "./ast.ts";
import type { Checked, ExprType } from "./check.ts";
import { dateDiff, extract, truncate } from "./dates.ts";
import { and3, arithmetic, compareNumbers, negate, not3, or3 } from "./kernels.ts";
import {
  constantNumber,
  constantText,
  labelNumbers,
  mapLabels,
  type NumberVector,
  numberAt,
  numberVector,
  present,
  type TextVector,
  textAt,
  textVector,
  type Vector,
} from "./vector.ts";

type CallExpr = Expr & { kind: "call" };

/** What an expression is evaluated over: rows (a table) or groups (after aggregation). */
export interface Frame {
  /** Rows (or groups) in the frame. */
  length: number;
  /** The column of that name (the type checker made sure it exists). */
  column(name: string): Vector;
  /**
   * One value per group of an aggregate call (measures and KPI values), given its argument
   * evaluated over the rows (undefined for count()). Absent for row-wise frames.
   */
  aggregate?(call: CallExpr, arg: ((frame: Frame) => Vector) | undefined): Vector;
}

/** Evaluates `checked` over `frame`: one value per row (or group). */
export function evaluate(checked: Checked, frame: Frame): Vector {
  return new Evaluator(checked.types, frame).eval(checked.expr);
}

/** Evaluates a checked condition: the rows where it is true (not false, not null), ascending. */
export function selectWhere(checked: Checked, frame: Frame): Uint32Array {
  const v = asNumbers(evaluate(checked, frame), frame.length);
  const out = new Uint32Array(frame.length);
  let k = 0;
  for (let i = 0; i < frame.length; i++) {
    if ((v.valid === null || v.valid[i] === 1) && v.values[i] !== 0) out[k++] = i;
  }
  return out.slice(0, k);
}

/** A vector as numbers: a null-typed text vector becomes all-missing numbers. */
function asNumbers(v: Vector, n: number): NumberVector {
  return v.kind === "number" ? v : constantNumber("float", n, null);
}

/** A vector as text: a null-typed number vector becomes all-missing text. */
function asText(v: Vector, n: number): TextVector {
  return v.kind === "category" ? v : constantText(n, null);
}

type NumberType = NumberVector["type"];

/** The vector type of a number-like expression type (null reads as float). */
function numberType(type: ExprType): NumberType {
  return type === "null" || type === "string" ? "float" : type;
}

class Evaluator {
  readonly n: number;
  constructor(
    private readonly types: ReadonlyMap<Expr, ExprType>,
    private readonly frame: Frame,
  ) {
    this.n = frame.length;
  }

  typeOf(node: Expr): ExprType {
    return this.types.get(node) ?? "null";
  }

  num(node: Expr): NumberVector {
    return asNumbers(this.eval(node), this.n);
  }

  text(node: Expr): TextVector {
    return asText(this.eval(node), this.n);
  }

  eval(node: Expr): Vector {
    const { n } = this;
    switch (node.kind) {
      case "column":
        return this.frame.column(node.name);
      case "literal":
        return literalVector(node, n);
      case "negate":
        return negate(this.num(node.arg));
      case "not":
        return not3(this.num(node.arg));
      case "binary":
        return this.binary(node);
      case "is_null": {
        const a = this.eval(node.arg);
        const want = !node.negated;
        return numberVector("boolean", n, (i) => (present(a, i) === want ? 0 : 1));
      }
      case "in":
        return this.inList(node);
      case "between": {
        const low = this.compare(">=", node.arg, node.low);
        const high = this.compare("<=", node.arg, node.high);
        const both = and3(low, high);
        return node.negated ? not3(both) : both;
      }
      case "like":
        return this.like(node);
      case "case":
        return this.caseExpr(node);
      case "cast":
        return this.cast(node);
      case "call":
        return this.call(node);
    }
  }

  binary(node: Expr & { kind: "binary" }): Vector {
    const { n } = this;
    switch (node.op) {
      case "and":
        return and3(this.num(node.left), this.num(node.right));
      case "or":
        return or3(this.num(node.left), this.num(node.right));
      case "||": {
        const a = this.text(node.left);
        const b = this.text(node.right);
        // Text joined with a constant: once per distinct label.
        if (node.right.kind === "literal" && b.labels.length === 1) {
          const suffix = b.labels[0];
          return mapLabels(a, (s) => s + suffix);
        }
        if (node.left.kind === "literal" && a.labels.length === 1) {
          const prefix = a.labels[0];
          return mapLabels(b, (s) => prefix + s);
        }
        return textVector(n, (i) => {
          const x = textAt(a, i);
          const y = textAt(b, i);
          return x === null || y === null ? null : x + y;
        });
      }
      case "+":
      case "-":
      case "*":
      case "/":
      case "%":
        return this.arithmetic(node);
      default:
        return this.compare(node.op, node.left, node.right);
    }
  }

  arithmetic(node: Expr & { kind: "binary" }): NumberVector {
    const type = numberType(this.typeOf(node));
    return arithmetic(node.op as ArithmeticOp, this.num(node.left), this.num(node.right), type);
  }

  /** `left op right` with SQL's null rule; text against a constant is decided per label. */
  compare(op: string, left: Expr, right: Expr): NumberVector {
    const { n } = this;
    const test = COMPARE[op];
    const a = this.eval(left);
    const b = this.eval(right);
    if (a.kind === "category" || b.kind === "category") {
      const x = asText(a, n);
      const y = asText(b, n);
      const constant = (v: TextVector, node: Expr) =>
        node.kind === "literal" && v.labels.length === 1;
      if (constant(y, right)) {
        const target = y.labels[0];
        return labelNumbers(x, "boolean", (label) => (test(cmp(label, target)) ? 1 : 0));
      }
      if (constant(x, left)) {
        const target = x.labels[0];
        return labelNumbers(y, "boolean", (label) => (test(cmp(target, label)) ? 1 : 0));
      }
      return numberVector("boolean", n, (i) => {
        const p = textAt(x, i);
        const q = textAt(y, i);
        return p === null || q === null ? null : test(cmp(p, q)) ? 1 : 0;
      });
    }
    return compareNumbers(op as ComparisonOp, a, b);
  }

  /** `x in (a, b, …)`: true on a match; else null when x or an item is null; else false. */
  inList(node: Expr & { kind: "in" }): NumberVector {
    const { n } = this;
    const arg = this.eval(node.arg);
    let result: NumberVector;
    const literals = node.list.every((item) => item.kind === "literal" && item.value !== null);
    if (arg.kind === "category" && literals) {
      const set = new Set(
        node.list.map((item) => String(item.kind === "literal" ? item.value : "")),
      );
      result = labelNumbers(arg, "boolean", (label) => (set.has(label) ? 1 : 0));
    } else {
      result = constantNumber("boolean", n, 0);
      for (const item of node.list) result = or3(result, this.compare("=", node.arg, item));
    }
    return node.negated ? not3(result) : result;
  }

  like(node: Expr & { kind: "like" }): NumberVector {
    const { n } = this;
    const arg = this.text(node.arg);
    const pattern = this.text(node.pattern);
    const cache = new Map<string, RegExp>();
    const regex = (p: string): RegExp => {
      let re = cache.get(p);
      if (re === undefined) {
        re = likeRegExp(p);
        cache.set(p, re);
      }
      return re;
    };
    const flip = (b: boolean) => (b !== node.negated ? 1 : 0);
    if (node.pattern.kind === "literal" && pattern.labels.length === 1) {
      const re = regex(pattern.labels[0]);
      return labelNumbers(arg, "boolean", (label) => flip(re.test(label)));
    }
    return numberVector("boolean", n, (i) => {
      const x = textAt(arg, i);
      const p = textAt(pattern, i);
      return x === null || p === null ? null : flip(regex(p).test(x));
    });
  }

  caseExpr(node: Expr & { kind: "case" }): Vector {
    const { n } = this;
    // chosen[i]: the branch whose result row i takes; whens.length is else, -1 is null.
    const chosen = new Int32Array(n).fill(-2);
    node.whens.forEach(({ when }, k) => {
      const cond =
        node.operand === undefined ? this.num(when) : this.compare("=", node.operand, when);
      for (let i = 0; i < n; i++) {
        if (
          chosen[i] === -2 &&
          (cond.valid === null || cond.valid[i] === 1) &&
          cond.values[i] !== 0
        )
          chosen[i] = k;
      }
    });
    const otherwise = node.otherwise === undefined ? -1 : node.whens.length;
    for (let i = 0; i < n; i++) if (chosen[i] === -2) chosen[i] = otherwise;
    const branches = [
      ...node.whens.map((w) => w.result),
      ...(node.otherwise ? [node.otherwise] : []),
    ];
    const type = this.typeOf(node);
    if (type === "string") {
      const values = branches.map((b) => this.text(b));
      return textVector(n, (i) => (chosen[i] < 0 ? null : textAt(values[chosen[i]], i)));
    }
    const values = branches.map((b) => this.num(b));
    return numberVector(numberType(type), n, (i) =>
      chosen[i] < 0 ? null : numberAt(values[chosen[i]], i),
    );
  }

  cast(node: Expr & { kind: "cast" }): Vector {
    const { n } = this;
    const from = this.typeOf(node.arg);
    const v = this.eval(node.arg);
    if (node.to === "varchar") {
      if (v.kind === "category") return v;
      const format = (x: number): string =>
        from === "boolean"
          ? String(x !== 0)
          : from === "date"
            ? isoDate(x)
            : from === "timestamp"
              ? new Date(x).toISOString().replace("T", " ").replace("Z", "")
              : String(x);
      return textVector(n, (i) => {
        const x = numberAt(v, i);
        return x === null ? null : format(x);
      });
    }
    const to: NumberType = node.to === "double" ? "float" : node.to;
    if (v.kind === "category") return labelNumbers(v, to, (label) => parseAs(to, label));
    return numberVector(to, n, (i) => {
      const x = numberAt(v, i);
      if (x === null) return null;
      switch (to) {
        case "integer":
          return roundHalfAway(x);
        case "boolean":
          return x !== 0 ? 1 : 0;
        case "date":
          return truncate("day", x);
        default:
          return x;
      }
    });
  }

  call(node: CallExpr): Vector {
    const { n } = this;
    const { name, args } = node;
    const type = this.typeOf(node);
    switch (name) {
      case "count":
      case "count_distinct":
      case "sum":
      case "avg":
      case "min":
      case "max":
      case "median":
      case "stddev": {
        const aggregate = this.frame.aggregate;
        if (aggregate === undefined) throw new Error(`${name}() outside an aggregate frame`);
        const arg = args[0];
        return aggregate(
          node,
          arg === undefined ? undefined : (rows) => new Evaluator(this.types, rows).eval(arg),
        );
      }
      case "coalesce":
        return this.pickRows(type, args, (values, i) => values.findIndex((v) => present(v, i)));
      case "greatest":
      case "least": {
        // Trino: null when any argument is null.
        const sign = name === "greatest" ? 1 : -1;
        return this.pickRows(type, args, (values, i) => {
          let best = -1;
          for (let k = 0; k < values.length; k++) {
            if (!present(values[k], i)) return -1;
            if (best < 0 || sign * compareAt(values[k], values[best], i) > 0) best = k;
          }
          return best;
        });
      }
      case "nullif": {
        const equal = this.compare("=", args[0], args[1]);
        const a = this.eval(args[0]);
        const keep = (i: number) => !(numberAt(equal, i) === 1);
        return a.kind === "category"
          ? textVector(n, (i) => (keep(i) ? textAt(a, i) : null))
          : numberVector(a.type, n, (i) => (keep(i) ? numberAt(a, i) : null));
      }
      case "lower":
        return mapLabels(this.text(args[0]), (s) => s.toLowerCase());
      case "upper":
        return mapLabels(this.text(args[0]), (s) => s.toUpperCase());
      case "trim":
        return mapLabels(this.text(args[0]), (s) => s.replace(/^ +| +$/g, ""));
      case "length":
        return labelNumbers(this.text(args[0]), "integer", (s) => [...s].length);
      case "substr": {
        const s = this.text(args[0]);
        const start = this.num(args[1]);
        const length = args[2] === undefined ? undefined : this.num(args[2]);
        return textVector(n, (i) => {
          const text = textAt(s, i);
          const from = numberAt(start, i);
          const count = length === undefined ? Number.POSITIVE_INFINITY : numberAt(length, i);
          return text === null || from === null || count === null
            ? null
            : substr(text, from, count);
        });
      }
      case "concat": {
        const parts = args.map((a) => this.text(a));
        return textVector(n, (i) => {
          let out = "";
          for (const part of parts) {
            const t = textAt(part, i);
            if (t === null) return null;
            out += t;
          }
          return out;
        });
      }
      case "replace": {
        const [s, from, to] = args.map((a) => this.text(a));
        return textVector(n, (i) => {
          const text = textAt(s, i);
          const search = textAt(from, i);
          const replacement = to === undefined ? "" : textAt(to, i);
          return text === null || search === null || replacement === null
            ? null
            : text.replaceAll(search, () => replacement);
        });
      }
      case "starts_with": {
        const [s, prefix] = args.map((a) => this.text(a));
        return numberVector("boolean", n, (i) => {
          const text = textAt(s, i);
          const p = textAt(prefix, i);
          return text === null || p === null ? null : text.startsWith(p) ? 1 : 0;
        });
      }
      case "abs":
        return this.math(node, (x) => Math.abs(x));
      case "floor":
        return this.math(node, (x) => Math.floor(x));
      case "ceil":
        return this.math(node, (x) => Math.ceil(x));
      case "sqrt":
        return this.math(node, (x) => Math.sqrt(x));
      case "ln":
        return this.math(node, (x) => Math.log(x));
      case "exp":
        return this.math(node, (x) => Math.exp(x));
      case "power":
        return this.math(node, (x, y) => x ** y);
      case "round":
        return this.math(node, (x, d = 0) => roundTo(x, d));
      case "year":
      case "quarter":
      case "month":
      case "week":
      case "day":
      case "day_of_week":
        return this.math(node, (x) => extract(name, x));
      case "date_trunc": {
        const part = String((args[0] as Expr & { kind: "literal" }).value) as DatePart;
        const d = this.num(args[1]);
        return numberVector(numberType(type), n, (i) => {
          const x = numberAt(d, i);
          return x === null ? null : truncate(part, x);
        });
      }
      case "date_diff": {
        const part = String((args[0] as Expr & { kind: "literal" }).value) as DatePart;
        const a = this.num(args[1]);
        const b = this.num(args[2]);
        return numberVector("integer", n, (i) => {
          const x = numberAt(a, i);
          const y = numberAt(b, i);
          return x === null || y === null ? null : dateDiff(part, x, y);
        });
      }
    }
  }

  /** A numeric function of the call's arguments, null when any is null. */
  math(node: CallExpr, f: (...xs: number[]) => number): NumberVector {
    const args = node.args.map((a) => this.num(a));
    const xs = new Array<number>(args.length);
    return numberVector(numberType(this.typeOf(node)), this.n, (i) => {
      for (let k = 0; k < args.length; k++) {
        const x = numberAt(args[k], i);
        if (x === null) return null;
        xs[k] = x;
      }
      return f(...xs);
    });
  }

  /** Per row, the value of the argument `choose` picks (-1: null), in the call's type. */
  pickRows(type: ExprType, args: Expr[], choose: (values: Vector[], i: number) => number): Vector {
    const { n } = this;
    if (type === "string") {
      const values = args.map((a) => this.text(a));
      return textVector(n, (i) => {
        const k = choose(values, i);
        return k < 0 ? null : textAt(values[k], i);
      });
    }
    const values = args.map((a) => this.num(a));
    return numberVector(numberType(type), n, (i) => {
      const k = choose(values, i);
      return k < 0 ? null : numberAt(values[k], i);
    });
  }
}

function literalVector(node: Expr & { kind: "literal" }, n: number): Vector {
  const { value } = node;
  switch (node.type) {
    case "null":
      return constantNumber("float", n, null);
    case "varchar":
      return constantText(n, String(value));
    case "boolean":
      return constantNumber("boolean", n, value === true ? 1 : 0);
    case "integer":
      return constantNumber("integer", n, Number(value));
    case "double":
      return constantNumber("float", n, Number(value));
    case "date":
    case "timestamp":
      return constantNumber(node.type, n, parseIso(String(value)) ?? null);
  }
}

const COMPARE: Record<string, (c: number) => boolean> = {
  "=": (c) => c === 0,
  "<>": (c) => c !== 0,
  "<": (c) => c < 0,
  "<=": (c) => c <= 0,
  ">": (c) => c > 0,
  ">=": (c) => c >= 0,
};

/** Code-point order of two strings (as SQL engines compare UTF-8 text). */
function cmp(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareAt(a: Vector, b: Vector, i: number): number {
  if (a.kind === "category" && b.kind === "category")
    return cmp(textAt(a, i) ?? "", textAt(b, i) ?? "");
  if (a.kind === "number" && b.kind === "number") return a.values[i] - b.values[i];
  return 0;
}

/** SQL LIKE as a regular expression: % any run, _ one character, case-sensitive. */
function likeRegExp(pattern: string): RegExp {
  let source = "";
  for (const ch of pattern) {
    if (ch === "%") source += "[\\s\\S]*";
    else if (ch === "_") source += "[\\s\\S]";
    else source += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "u");
}

/** Rounds half away from zero, as SQL does (Math.round rounds half up). */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** round(x, d): to d decimals (d < 0 rounds to tens, hundreds, …), half away from zero. */
function roundTo(x: number, d: number): number {
  if (d === 0) return roundHalfAway(x);
  const factor = 10 ** Math.abs(d);
  if (d < 0) return roundHalfAway(x / factor) * factor;
  // Through the decimal text, so 2.675 (stored as 2.67499…) rounds as written, not below.
  const scaled = Number(`${Math.abs(x)}e${d}`);
  return (Math.sign(x) * Math.round(scaled)) / factor;
}

/** substr(s, start[, length]) in code points, 1-based; a negative start counts from the end. */
function substr(text: string, start: number, length: number): string {
  const chars = [...text];
  if (start === 0 || length < 0) return "";
  const from = start > 0 ? start - 1 : chars.length + start;
  if (from < 0 || from >= chars.length) return "";
  return chars.slice(from, from + Math.min(length, chars.length)).join("");
}

/** Text read as a value of `to`; null when it is not one (as try_cast). */
function parseAs(to: NumberType, text: string): number | null {
  const t = text.trim();
  switch (to) {
    case "float": {
      const x = t === "" ? Number.NaN : Number(t);
      return Number.isFinite(x) ? x : null;
    }
    case "integer": {
      if (!/^[+-]?\d+$/.test(t)) return null;
      return Number(t);
    }
    case "boolean": {
      const lower = t.toLowerCase();
      return lower === "true" ? 1 : lower === "false" ? 0 : null;
    }
    case "date": {
      const ms = /^\d{4}-\d{2}-\d{2}$/.test(t) ? parseIso(t) : undefined;
      return ms ?? null;
    }
    case "timestamp":
      return parseIso(t) ?? null;
  }
}
