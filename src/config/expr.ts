// The small expression language of report definitions (docs/report-definition.md):
// measures `sum(revenue)`, group keys `month(order_date)`, filters `region in ('Europe')`,
// sort keys `-revenue`. Parsers return the parts; the caller adds name, path and location.
import { MEASURE_OPS, TIME_UNITS } from "../vocabulary.ts";
import { didYouMean } from "./closest.ts";
import type { FilterOp, MeasureOp, Scalar, TimeUnit } from "./spec.ts";

/** A syntax problem in one expression; the caller prefixes file:line:column and the field. */
export class ExprError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = "ExprError";
    this.hint = hint;
  }
}

type Token =
  | { kind: "word"; text: string }
  | { kind: "quoted"; text: string; quote: string }
  | { kind: "number"; value: number; text: string }
  | { kind: "symbol"; text: string }
  | { kind: "end"; text: "" };

const PATTERNS = [
  ["number", /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y],
  ["word", /[A-Za-z_][A-Za-z0-9_]*/y],
  ["symbol", /<=|>=|!=|<>|==|[=<>(),*+-]/y],
] as const;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'" || ch === '"' || ch === "`") {
      // A quote inside is written twice, as in SQL: 'Women''s'.
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new ExprError(`unclosed ${ch} in '${text}'`);
        if (text[j] === ch && text[j + 1] === ch) {
          value += ch;
          j += 2;
        } else if (text[j] === ch) {
          break;
        } else {
          value += text[j++];
        }
      }
      tokens.push({ kind: "quoted", text: value, quote: ch });
      i = j + 1;
    } else {
      const token = matchToken(text, i);
      if (token === undefined) throw new ExprError(`unexpected character '${ch}' in '${text}'`);
      tokens.push(token);
      i += token.text.length;
    }
  }
  tokens.push({ kind: "end", text: "" });
  return tokens;
}

function matchToken(text: string, at: number): Token | undefined {
  for (const [kind, re] of PATTERNS) {
    re.lastIndex = at;
    const word = re.exec(text)?.[0];
    if (word === undefined) continue;
    // "-revenue" is a sort sign then a name; a number needs a digit after its sign.
    if (kind === "number") return { kind, value: Number(word), text: word };
    return { kind, text: word };
  }
  return undefined;
}

/** A cursor over the tokens of one expression. */
class Tokens {
  private readonly tokens: Token[];
  private index = 0;
  constructor(readonly text: string) {
    this.tokens = tokenize(text);
  }
  peek(): Token {
    return this.tokens[this.index];
  }
  next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== "end") this.index++;
    return token;
  }
  /** Consume the symbol if it comes next. */
  eat(symbol: string): boolean {
    const token = this.peek();
    if (token.kind === "symbol" && token.text === symbol) {
      this.index++;
      return true;
    }
    return false;
  }
  /** True when the keyword (case-insensitive) comes next. */
  peekWord(word: string): boolean {
    const token = this.peek();
    return token.kind === "word" && token.text.toLowerCase() === word;
  }
  /** Consume the keyword (case-insensitive) if it comes next. */
  eatWord(word: string): boolean {
    const token = this.peek();
    if (token.kind === "word" && token.text.toLowerCase() === word) {
      this.index++;
      return true;
    }
    return false;
  }
  expect(symbol: string, hint?: string): void {
    if (!this.eat(symbol)) throw new ExprError(`expected '${symbol}' ${this.where()}`, hint);
  }
  end(hint?: string): void {
    const token = this.peek();
    if (token.kind !== "end") {
      throw new ExprError(`unexpected '${show(token)}' in '${this.text}'`, hint);
    }
  }
  where(): string {
    const token = this.peek();
    return token.kind === "end"
      ? `at the end of '${this.text}'`
      : `before '${show(token)}' in '${this.text}'`;
  }
}

function show(token: Token): string {
  return token.kind === "quoted" ? `${token.quote}${token.text}${token.quote}` : token.text;
}

/** A column name: a bare word, or "quoted" / `quoted` when it has spaces or symbols. */
function columnName(tokens: Tokens, what: string): string {
  const token = tokens.next();
  if (token.kind === "word") return token.text;
  if (token.kind === "quoted" && token.quote !== "'") return token.text;
  if (token.kind === "quoted") {
    throw new ExprError(
      `'${token.text}' is in single quotes, which make text; ${what} must be a column name`,
      `Write column names bare (revenue) or in double quotes ("unit price").`,
    );
  }
  throw new ExprError(
    token.kind === "end" || token.text === ")"
      ? `${what} is missing in '${tokens.text}'`
      : `expected ${what}, found '${show(token)}' in '${tokens.text}'`,
  );
}

/** The function names a measure may use: each op by its own name, and `avg` for mean. */
const MEASURE_SPELLINGS: Record<string, MeasureOp> = {
  ...Object.fromEntries(MEASURE_OPS.map((op) => [op, op])),
  avg: "mean",
};

const MEASURE_FUNCTIONS = Object.keys(MEASURE_SPELLINGS);

const MEASURE_HINT =
  "A measure is count(), count(col), sum(col), mean(col) (or avg), min, max, median or count_distinct(col).";

/** Parse `sum(revenue)`, `count()`, `count(*)`, `count_distinct(customer_id)`. */
export function parseMeasure(text: string): { op: MeasureOp; column?: string } {
  const tokens = new Tokens(text);
  const head = tokens.next();
  if (head.kind !== "word") {
    throw new ExprError(`'${text}' is not a measure`, MEASURE_HINT);
  }
  const fn = head.text.toLowerCase();
  const op = Object.hasOwn(MEASURE_SPELLINGS, fn) ? MEASURE_SPELLINGS[fn] : undefined;
  if (!tokens.eat("(")) {
    if (op !== undefined) throw new ExprError(`expected '(' after '${head.text}'`, MEASURE_HINT);
    throw new ExprError(
      `'${text}' is a column, not a measure; aggregate it, e.g. sum(${head.text})`,
      MEASURE_HINT,
    );
  }
  if (op === undefined) {
    throw new ExprError(
      `unknown function '${head.text}'${didYouMean(fn, MEASURE_FUNCTIONS)}`,
      MEASURE_HINT,
    );
  }
  if (op === "count" && (tokens.eat(")") || (tokens.eat("*") && expectClose(tokens)))) {
    tokens.end(MEASURE_HINT);
    return { op };
  }
  const column = columnName(tokens, `the column of ${fn}()`);
  tokens.expect(")", MEASURE_HINT);
  tokens.end(MEASURE_HINT);
  return { op, column };
}

function expectClose(tokens: Tokens): true {
  tokens.expect(")", MEASURE_HINT);
  return true;
}

/** Parse a group key: `region` or `month(order_date)`; its default name is the column or unit. */
export function parseGroupKey(text: string): { column: string; unit?: TimeUnit } {
  const tokens = new Tokens(text);
  const first = columnName(tokens, "a column name");
  if (!tokens.eat("(")) {
    tokens.end("Group by a column (region) or a time bucket such as month(order_date).");
    return { column: first };
  }
  const unit = TIME_UNITS.find((u) => u === first.toLowerCase());
  if (unit === undefined) {
    throw new ExprError(
      `unknown time unit '${first}'${didYouMean(first, TIME_UNITS)}`,
      `Time buckets are ${TIME_UNITS.map((u) => `${u}(col)`).join(", ")}.`,
    );
  }
  const column = columnName(tokens, `the column of ${unit}()`);
  tokens.expect(")");
  tokens.end();
  return { column, unit };
}

const COMPARISONS: Record<string, FilterOp> = {
  "=": "=",
  "==": "=",
  "!=": "!=",
  "<>": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
};

const FILTER_HINT =
  "A filter is one condition: col > 0, col = 'text', col in ('a', 'b'), col is not null, col = true.";

/** Parse one filter condition: `revenue > 0`, `region in ('Europe')`, `channel is not null`. */
export function parseFilter(text: string): {
  column: string;
  op: FilterOp;
  value?: Scalar | Scalar[];
} {
  const tokens = new Tokens(text);
  const column = columnName(tokens, "a column name");
  let result: { column: string; op: FilterOp; value?: Scalar | Scalar[] };
  if (tokens.eatWord("is")) {
    const negated = tokens.eatWord("not");
    if (!tokens.eatWord("null"))
      throw new ExprError(`expected 'null' ${tokens.where()}`, FILTER_HINT);
    result = { column, op: negated ? "is not null" : "is null" };
  } else if (tokens.peekWord("in") || tokens.peekWord("not")) {
    const negated = tokens.eatWord("not");
    if (!tokens.eatWord("in")) throw new ExprError(`expected 'in' ${tokens.where()}`, FILTER_HINT);
    tokens.expect("(", "List the values in parentheses: region in ('Europe', 'Asia Pacific').");
    const values: Scalar[] = [];
    do values.push(literal(tokens));
    while (tokens.eat(","));
    tokens.expect(")", FILTER_HINT);
    result = { column, op: negated ? "not in" : "in", value: values };
  } else {
    const token = tokens.next();
    const op = token.kind === "symbol" ? COMPARISONS[token.text] : undefined;
    if (op === undefined) {
      throw new ExprError(
        token.kind === "end"
          ? `'${text}' has no condition`
          : `expected a comparison (=, !=, <, <=, >, >=, in, is null) after '${column}', found '${show(token)}'`,
        FILTER_HINT,
      );
    }
    const next = tokens.peek();
    if (next.kind === "word" && next.text.toLowerCase() === "null") {
      throw new ExprError(
        `compare with null using 'is null' or 'is not null', not '${token.text} null'`,
        FILTER_HINT,
      );
    }
    result = { column, op, value: literal(tokens) };
  }
  const rest = tokens.peek();
  if (rest.kind === "word" && ["and", "or"].includes(rest.text.toLowerCase())) {
    throw new ExprError(
      `one condition per filter item; '${rest.text}' is not supported`,
      'Write a list of conditions; a row must meet all of them:\nfilter: ["revenue > 0", "channel is not null"]',
    );
  }
  tokens.end(FILTER_HINT);
  return result;
}

/** A filter value: a number, 'text' (or "text"), true or false. */
function literal(tokens: Tokens): Scalar {
  const token = tokens.next();
  if (token.kind === "number") return token.value;
  if (token.kind === "quoted") return token.text;
  if (token.kind === "word") {
    const word = token.text.toLowerCase();
    if (word === "true") return true;
    if (word === "false") return false;
    throw new ExprError(
      `'${token.text}' is not a value; quote text as '${token.text}'`,
      "Values are numbers (42, -1.5), text in quotes ('Europe'), true or false. Dates are text: '2024-01-31'.",
    );
  }
  throw new ExprError(
    `expected a value ${token.kind === "end" ? `at the end of '${tokens.text}'` : `but found '${show(token)}' in '${tokens.text}'`}`,
    FILTER_HINT,
  );
}

/** Parse a sort key: `-revenue` (descending), `revenue`, `revenue desc`, `revenue asc`. */
export function parseSortKey(text: string): { name: string; descending: boolean } {
  const tokens = new Tokens(text);
  let descending = tokens.eat("-");
  if (!descending) tokens.eat("+");
  const name = columnName(tokens, "a group key or measure name");
  if (tokens.eatWord("desc")) descending = true;
  else tokens.eatWord("asc");
  tokens.end("Sort by a name of the query: -revenue (descending) or region (ascending).");
  return { name, descending };
}
