// The one parser of expression text (filters, measures, derived columns, KPI values, group
// and sort keys): a recursive-descent parser over src/expr/lex.ts's tokens producing the
// syntax tree of src/expr/ast.ts. Precedence, lowest first, as in Trino: or, and, not,
// comparisons and predicates (is null, in, between, like), ||, + -, * / %, unary minus.
import {
  type BinaryOp,
  CAST_TYPES,
  type CastType,
  type Expr,
  type LiteralType,
  type Span,
} from "./ast.ts";
import { ExprError } from "./error.ts";
import { checkArity, functionNamed } from "./functions.ts";
import { type Token, tokenize } from "./lex.ts";

/** Words that cannot be bare column names (quote such a column: "end"). */
const RESERVED = [
  "and",
  "or",
  "not",
  "in",
  "is",
  "null",
  "between",
  "like",
  "case",
  "when",
  "then",
  "else",
  "end",
  "cast",
  "as",
  "true",
  "false",
  "distinct",
] as const;

const COMPARISONS: Readonly<Record<string, BinaryOp>> = {
  "=": "=",
  "==": "=",
  "<>": "<>",
  "!=": "<>",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

/** Parses one expression; throws ExprError with the span of the offending token. */
export function parseExpr(text: string): Expr {
  const parser = new Parser(text);
  const expr = parser.expression();
  parser.end();
  return expr;
}

/** A sort key: `-revenue` or `revenue desc` (descending), `revenue` or `revenue asc`. */
export function parseSortKey(text: string): { name: string; descending: boolean; span: Span } {
  const parser = new Parser(text);
  const { name, descending, span } = parser.sortKey();
  parser.end("Sort by a name of the query: -revenue (descending) or region (ascending).");
  return { name, descending, span };
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  constructor(readonly text: string) {
    this.tokens = tokenize(text);
  }

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== "end") this.index++;
    return token;
  }

  isWord(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === "word" && token.text.toLowerCase() === word;
  }

  eatWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.index++;
    return true;
  }

  isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.kind === "symbol" && token.text === symbol;
  }

  eat(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.index++;
    return true;
  }

  /** Consumes `symbol` or throws an error at the token found instead. */
  expect(symbol: string, hint?: string): Token {
    const token = this.peek();
    if (!this.eat(symbol)) throw this.unexpected(`expected '${symbol}'`, hint);
    return token;
  }

  expectWord(word: string, hint?: string): Token {
    const token = this.peek();
    if (!this.eatWord(word)) throw this.unexpected(`expected '${word}'`, hint);
    return token;
  }

  /** "expected X, found 'y'" (or "at the end") at the next token. */
  unexpected(expected: string, hint?: string): ExprError {
    const token = this.peek();
    const found = token.kind === "end" ? "at the end" : `but found ${shown(token)}`;
    return new ExprError(`${expected} ${found}`, token.span, hint);
  }

  end(hint?: string): void {
    const token = this.peek();
    if (token.kind === "end") return;
    if (token.kind === "symbol" && token.text === ")")
      throw new ExprError("')' has no matching '('", token.span, hint);
    throw new ExprError(`unexpected ${shown(token)}`, token.span, hint ?? joinHint(token));
  }

  expression(): Expr {
    return this.or();
  }

  or(): Expr {
    let left = this.and();
    while (this.eatWord("or")) {
      const right = this.and();
      left = binary("or", left, right);
    }
    return left;
  }

  and(): Expr {
    let left = this.not();
    while (this.eatWord("and")) {
      const right = this.not();
      left = binary("and", left, right);
    }
    return left;
  }

  not(): Expr {
    const token = this.peek();
    if (this.eatWord("not")) {
      const arg = this.not();
      return { kind: "not", arg, span: { start: token.span.start, end: arg.span.end } };
    }
    return this.predicate();
  }

  predicate(): Expr {
    const left = this.concat();
    const token = this.peek();
    if (token.kind === "symbol" && Object.hasOwn(COMPARISONS, token.text)) {
      this.index++;
      return binary(COMPARISONS[token.text], left, this.concat());
    }
    if (this.eatWord("is")) {
      const negated = this.eatWord("not");
      const last = this.expectWord("null", "Write 'is null' or 'is not null'.");
      return {
        kind: "is_null",
        arg: left,
        negated,
        span: { start: left.span.start, end: last.span.end },
      };
    }
    const negated = this.isWord("not") && ["in", "between", "like"].some((w) => this.isWord(w, 1));
    if (negated) this.index++;
    if (this.eatWord("in")) {
      this.expect("(", "List the values in parentheses: region in ('Europe', 'Asia Pacific').");
      const list = [this.concat()];
      while (this.eat(",")) list.push(this.concat());
      const close = this.expect(
        ")",
        "Separate the values with commas and close the list with ')'.",
      );
      return {
        kind: "in",
        arg: left,
        list,
        negated,
        span: { start: left.span.start, end: close.span.end },
      };
    }
    if (this.eatWord("between")) {
      const low = this.concat();
      this.expectWord("and", "Write x between low and high.");
      const high = this.concat();
      return {
        kind: "between",
        arg: left,
        low,
        high,
        negated,
        span: { start: left.span.start, end: high.span.end },
      };
    }
    if (this.eatWord("like")) {
      const pattern = this.concat();
      return {
        kind: "like",
        arg: left,
        pattern,
        negated,
        span: { start: left.span.start, end: pattern.span.end },
      };
    }
    return left;
  }

  concat(): Expr {
    let left = this.additive();
    while (this.eat("||")) left = binary("||", left, this.additive());
    return left;
  }

  additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      if (this.eat("+")) left = binary("+", left, this.multiplicative());
      else if (this.eat("-")) left = binary("-", left, this.multiplicative());
      else return left;
    }
  }

  multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      if (
        token.kind === "symbol" &&
        (token.text === "*" || token.text === "/" || token.text === "%")
      ) {
        this.index++;
        left = binary(token.text, left, this.unary());
      } else {
        return left;
      }
    }
  }

  unary(): Expr {
    const token = this.peek();
    if (this.eat("-")) {
      const arg = this.unary();
      return { kind: "negate", arg, span: { start: token.span.start, end: arg.span.end } };
    }
    if (this.eat("+")) return this.unary();
    return this.primary();
  }

  primary(): Expr {
    const token = this.peek();
    switch (token.kind) {
      case "number":
        this.index++;
        return literal(token.integer ? "integer" : "double", token.value, token.span);
      case "string":
        this.index++;
        return literal("varchar", token.text, token.span);
      case "quoted":
        this.index++;
        return { kind: "column", name: token.text, span: token.span };
      case "symbol":
        if (this.eat("(")) {
          const inner = this.expression();
          const close = this.expect(")", "Close each '(' with ')'.");
          // The span covers the parentheses, so a caret under a group underlines all of it.
          return { ...inner, span: { start: token.span.start, end: close.span.end } };
        }
        throw this.unexpected("expected a value, column or '('");
      case "end":
        throw this.unexpected("expected a value, column or '('");
      case "word":
        return this.word(token);
    }
  }

  word(token: Token & { kind: "word" }): Expr {
    const word = token.text.toLowerCase();
    const after = this.peek(1);
    if ((word === "date" || word === "timestamp") && after.kind === "string") {
      this.index += 2;
      return typedLiteral(word, after.text, { start: token.span.start, end: after.span.end });
    }
    if (word === "true" || word === "false") {
      this.index++;
      return literal("boolean", word === "true", token.span);
    }
    if (word === "null") {
      this.index++;
      return literal("null", null, token.span);
    }
    if (word === "case") return this.caseExpr();
    if ((word === "cast" || word === "try_cast") && after.kind === "symbol" && after.text === "(")
      return this.cast();
    if (after.kind === "symbol" && after.text === "(") return this.call();
    if ((RESERVED as readonly string[]).includes(word)) {
      throw new ExprError(
        `expected a value or column, but found the keyword '${token.text}'`,
        token.span,
        `A column named ${token.text} is written in double quotes: "${token.text}".`,
      );
    }
    this.index++;
    return { kind: "column", name: token.text, span: token.span };
  }

  call(): Expr {
    const head = this.next();
    const name = functionNamed(head.text, head.span);
    this.expect("(");
    let canonical = name;
    const args: Expr[] = [];
    if (name === "count" && this.eat("*")) {
      // count(*) counts rows, as count() does.
    } else if (this.eatWord("distinct")) {
      if (name !== "count") {
        throw new ExprError(
          `distinct is only for count(distinct x)`,
          this.tokens[this.index - 1].span,
        );
      }
      canonical = "count_distinct";
      args.push(this.expression());
    } else if (!this.isSymbol(")")) {
      args.push(this.expression());
      while (this.eat(",")) args.push(this.expression());
    }
    const close = this.expect(
      ")",
      "Separate the arguments with commas and close the call with ')'.",
    );
    const span = { start: head.span.start, end: close.span.end };
    checkArity(canonical, args.length, span);
    return { kind: "call", name: canonical, args, span, nameSpan: head.span };
  }

  cast(): Expr {
    const head = this.next();
    this.expect("(");
    const arg = this.expression();
    this.expectWord("as", "Write cast(x as double).");
    const typeToken = this.next();
    const written = typeToken.kind === "word" ? typeToken.text.toLowerCase() : "";
    const to = (
      written === "int" || written === "bigint"
        ? "integer"
        : written === "string"
          ? "varchar"
          : written
    ) as CastType;
    if (!(CAST_TYPES as readonly string[]).includes(to)) {
      throw new ExprError(
        `unknown type ${shown(typeToken)}`,
        typeToken.span,
        `Cast to one of: ${CAST_TYPES.join(", ")}.`,
      );
    }
    const close = this.expect(")");
    return { kind: "cast", arg, to, span: { start: head.span.start, end: close.span.end } };
  }

  caseExpr(): Expr {
    const head = this.next();
    const operand = this.isWord("when") ? undefined : this.expression();
    const whens: { when: Expr; result: Expr }[] = [];
    while (this.eatWord("when")) {
      const when = this.expression();
      this.expectWord("then", "Write case when condition then value [else value] end.");
      whens.push({ when, result: this.expression() });
    }
    if (whens.length === 0)
      throw this.unexpected(
        "expected 'when'",
        "Write case when condition then value [else value] end.",
      );
    const otherwise = this.eatWord("else") ? this.expression() : undefined;
    const last = this.expectWord("end", "Close the case with 'end'.");
    const span = { start: head.span.start, end: last.span.end };
    const expr: Expr = { kind: "case", whens, span };
    if (operand !== undefined) expr.operand = operand;
    if (otherwise !== undefined) expr.otherwise = otherwise;
    return expr;
  }

  sortKey(): { name: string; descending: boolean; span: Span } {
    let descending = this.eat("-");
    if (!descending) this.eat("+");
    const token = this.next();
    if (token.kind !== "word" && token.kind !== "quoted") {
      this.index--;
      throw this.unexpected("expected a name to sort by");
    }
    if (this.eatWord("desc")) descending = true;
    else this.eatWord("asc");
    return { name: token.text, descending, span: token.span };
  }
}

function binary(op: BinaryOp, left: Expr, right: Expr): Expr {
  return { kind: "binary", op, left, right, span: { start: left.span.start, end: right.span.end } };
}

function literal(type: LiteralType, value: number | string | boolean | null, span: Span): Expr {
  return { kind: "literal", type, value, span };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** `date '2024-01-31'` or `timestamp '2024-01-31 12:00:00'`, checked for their form. */
function typedLiteral(word: "date" | "timestamp", text: string, span: Span): Expr {
  const ok =
    word === "date"
      ? ISO_DATE.test(text) && validDate(text)
      : ISO_TIMESTAMP.test(text) && validDate(text.slice(0, 10));
  if (!ok) {
    throw new ExprError(
      `'${text}' is not a ${word}`,
      span,
      word === "date"
        ? "Write dates as date 'YYYY-MM-DD', e.g. date '2024-01-31'."
        : "Write timestamps as timestamp 'YYYY-MM-DD HH:MM:SS', e.g. timestamp '2024-01-31 12:00:00'.",
    );
  }
  return literal(word, text, span);
}

function validDate(text: string): boolean {
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

function shown(token: Token): string {
  switch (token.kind) {
    case "string":
      return `'${token.text.replaceAll("'", "''")}'`;
    case "quoted":
      return `"${token.text.replaceAll('"', '""')}"`;
    case "end":
      return "the end";
    default:
      return `'${token.text}'`;
  }
}

/** A hint for two values side by side, the usual sign of a missing operator or comma. */
function joinHint(token: Token): string | undefined {
  if (token.kind === "word" && ["asc", "desc"].includes(token.text.toLowerCase()))
    return "asc and desc belong in sort:, not in an expression.";
  return "Join conditions with and / or, values with an operator (+, -, *, /, ||), list items with commas.";
}
