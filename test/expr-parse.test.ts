// The expression parser and SQL printer (src/expr/): random trees print as SQL and parse back
// to the same tree; hostile column names and text survive the trip without changing the
// SQL's meaning; precedence follows SQL; errors carry a caret under the offending token.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mulberry32 } from "../scripts/seeded-random.ts";
import {
  AGGREGATE_FUNCTIONS,
  CAST_TYPES,
  COMPARISON_OPS,
  DATE_PARTS,
  type Expr,
  SCALAR_FUNCTIONS,
} from "../src/expr/ast.ts";
import { checkCondition, checkExpr } from "../src/expr/check.ts";
import { caretLines, ExprError } from "../src/expr/error.ts";
import { ARITY } from "../src/expr/functions.ts";
import { parseExpr, parseSortKey } from "../src/expr/parse.ts";
import { toSql } from "../src/expr/to-sql.ts";

/** The tree without spans: what a round trip must preserve. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== "span" && key !== "nameSpan")
        .map(([key, v]) => [key, shape(v)]),
    );
  }
  return value;
}

const SPAN = { start: 0, end: 0 };
type Random = () => number;

const HOSTILE = [
  'a"b',
  "it's",
  "x -- comment",
  "semi; DROP TABLE t",
  "new\nline",
  '""',
  "''",
  "/* c */",
  "é ü 中",
  "a\\b",
  " ",
  "select",
  "and",
  "end",
];

function text(random: Random): string {
  if (random() < 0.5) return HOSTILE[Math.floor(random() * HOSTILE.length)];
  const chars = "abc XYZ_'\"-;\n%()";
  let s = "";
  const n = 1 + Math.floor(random() * 6);
  for (let i = 0; i < n; i++) s += chars[Math.floor(random() * chars.length)];
  return s;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function literal(random: Random): Expr {
  switch (Math.floor(random() * 7)) {
    case 0:
      return { kind: "literal", type: "integer", value: Math.floor(random() * 1e6), span: SPAN };
    case 1: {
      const value = pick(random, [0.1, 1.5, 2.5e-7, 1e21, 123.456, 0, 3]);
      return { kind: "literal", type: "double", value, span: SPAN };
    }
    case 2:
      return { kind: "literal", type: "varchar", value: text(random), span: SPAN };
    case 3:
      return { kind: "literal", type: "boolean", value: random() < 0.5, span: SPAN };
    case 4:
      return { kind: "literal", type: "null", value: null, span: SPAN };
    case 5:
      return { kind: "literal", type: "date", value: "2024-02-29", span: SPAN };
    default:
      return { kind: "literal", type: "timestamp", value: "2024-01-31 12:30:00", span: SPAN };
  }
}

/** A random tree of depth at most `depth`; types are not respected, only syntax. */
function randomExpr(random: Random, depth: number): Expr {
  if (depth === 0 || random() < 0.2) {
    return random() < 0.5 ? { kind: "column", name: text(random), span: SPAN } : literal(random);
  }
  const sub = () => randomExpr(random, depth - 1);
  const negated = random() < 0.5;
  switch (Math.floor(random() * 10)) {
    case 0:
      return { kind: "negate", arg: sub(), span: SPAN };
    case 1:
      return { kind: "not", arg: sub(), span: SPAN };
    case 2: {
      const op = pick(random, [
        "+",
        "-",
        "*",
        "/",
        "%",
        "||",
        "and",
        "or",
        ...COMPARISON_OPS,
      ] as const);
      return { kind: "binary", op, left: sub(), right: sub(), span: SPAN };
    }
    case 3:
      return { kind: "is_null", arg: sub(), negated, span: SPAN };
    case 4:
      return { kind: "in", arg: sub(), list: [sub(), sub()], negated, span: SPAN };
    case 5:
      return { kind: "between", arg: sub(), low: sub(), high: sub(), negated, span: SPAN };
    case 6:
      return { kind: "like", arg: sub(), pattern: sub(), negated, span: SPAN };
    case 7: {
      const node: Expr = { kind: "case", whens: [{ when: sub(), result: sub() }], span: SPAN };
      if (random() < 0.5) node.operand = sub();
      if (random() < 0.5) node.otherwise = sub();
      return node;
    }
    case 8:
      return { kind: "cast", arg: sub(), to: pick(random, CAST_TYPES), span: SPAN };
    default: {
      // median prints as Trino's approx_percentile, which is not part of the language.
      const names = [...AGGREGATE_FUNCTIONS, ...SCALAR_FUNCTIONS].filter((n) => n !== "median");
      const name = pick(random, names);
      const [min, max] = ARITY[name];
      const count = Math.min(min + Math.floor(random() * 2), max);
      const args = Array.from({ length: count }, sub);
      return { kind: "call", name, args, span: SPAN, nameSpan: SPAN };
    }
  }
}

test("500 random trees print as SQL that parses back to the same tree", () => {
  const random = mulberry32(20261202);
  for (let i = 0; i < 500; i++) {
    const expr = randomExpr(random, 4);
    const sql = toSql(expr);
    let back: Expr;
    try {
      back = parseExpr(sql);
    } catch (error) {
      assert.fail(`${sql}\n${error instanceof Error ? error.message : error}`);
    }
    assert.deepEqual(shape(back), shape(expr), sql);
  }
});

test("hostile column names and text stay one identifier and one literal", () => {
  for (const name of HOSTILE) {
    const sql = toSql({
      kind: "binary",
      op: "=",
      left: { kind: "column", name, span: SPAN },
      right: { kind: "literal", type: "varchar", value: name, span: SPAN },
      span: SPAN,
    });
    const back = parseExpr(sql);
    assert.equal(back.kind, "binary");
    if (back.kind !== "binary") continue;
    assert.deepEqual(shape(back.left), { kind: "column", name });
    assert.deepEqual(shape(back.right), { kind: "literal", type: "varchar", value: name });
  }
  // The quotes are doubled, never escaped another way.
  assert.equal(toSql({ kind: "column", name: 'x" OR 1=1 --', span: SPAN }), '"x"" OR 1=1 --"');
  assert.equal(
    toSql({ kind: "literal", type: "varchar", value: "'; DROP TABLE t; --", span: SPAN }),
    "'''; DROP TABLE t; --'",
  );
});

test("precedence follows SQL: not binds looser than =, and tighter than or, * tighter than +", () => {
  assert.equal(
    toSql(parseExpr("not a = 1 or b = 2 and c = 3")),
    '((NOT ("a" = 1)) OR (("b" = 2) AND ("c" = 3)))',
  );
  assert.equal(toSql(parseExpr("a + b * c - d")), '(("a" + ("b" * "c")) - "d")');
  assert.equal(toSql(parseExpr("-a * b")), '((-"a") * "b")');
  assert.equal(toSql(parseExpr("a || b = 'x'")), '(("a" || "b") = \'x\')');
  assert.equal(
    toSql(parseExpr("x not between 1 and 2 and y")),
    '(("x" NOT BETWEEN 1 AND 2) AND "y")',
  );
  assert.equal(toSql(parseExpr("(a or b) and c")), '(("a" OR "b") AND "c")');
  // Spellings the language accepts map to one tree: != is <>, mean is avg, count(distinct).
  assert.deepEqual(shape(parseExpr("a != 1")), shape(parseExpr("a <> 1")));
  assert.deepEqual(shape(parseExpr("MEAN(x)")), shape(parseExpr("avg(x)")));
  assert.deepEqual(shape(parseExpr("count(distinct x)")), shape(parseExpr("count_distinct(x)")));
  assert.deepEqual(shape(parseExpr("count(*)")), shape(parseExpr("count()")));
  // A column named like a type stays a column unless a string follows.
  assert.deepEqual(shape(parseExpr("month(date)")), {
    kind: "call",
    name: "month",
    args: [{ kind: "column", name: "date" }],
  });
  assert.equal(toSql(parseExpr("date '2024-01-31'")), "DATE '2024-01-31'");
  assert.deepEqual(parseSortKey("-revenue"), {
    name: "revenue",
    descending: true,
    span: { start: 1, end: 8 },
  });
  assert.equal(parseSortKey('"unit price" desc').descending, true);
  assert.equal(parseSortKey("region").descending, false);
});

const COLUMNS = [
  { name: "region", type: "string" },
  { name: "revenue", type: "float" },
  { name: "units", type: "integer" },
  { name: "order_date", type: "date" },
  { name: "returned", type: "boolean" },
] as const;

/** The ExprError that `run` throws, as message, hint and caret lines. */
function failure(
  text: string,
  run: () => unknown,
): { message: string; caret: string; hint?: string } {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ExprError)) throw error;
    return { message: error.message, caret: caretLines(text, error.span), hint: error.hint };
  }
  return assert.fail(`no error for ${text}`);
}

test("errors put a caret under the offending token", () => {
  const cases: [string, "row" | "aggregate", string, string][] = [
    [
      "revenue > 0 and regoin = 'x'",
      "row",
      "unknown column 'regoin'; did you mean 'region'?",
      "                ^^^^^^",
    ],
    ["summ(revenue)", "aggregate", "unknown function 'summ'; did you mean 'sum'?", "^^^^"],
    ["region = 5", "row", "cannot compare text 'region' with an integer using =", "         ^"],
    ["revenue > 0 and (units < 2", "row", "expected ')' at the end", "                          ^"],
    ["revenue + 1", "aggregate", "column 'revenue' must be aggregated here", "^^^^^^^"],
    ["sum(revenue) > 0", "row", "sum() aggregates many rows, so it cannot be used here", "^^^"],
    ["lower(units)", "row", "lower() needs text, but 'units' is an integer", "      ^^^^^"],
    [
      "units = null",
      "row",
      "compare with null using 'is null' or 'is not null', not '= null'",
      "        ^^^^",
    ],
    [
      "round(revenue, 1, 2)",
      "row",
      "round() takes 1 to 2 arguments, not 3",
      "^^^^^^^^^^^^^^^^^^^^",
    ],
    ["revenue ; 1", "row", "unexpected character ';'", "        ^"],
    ["'it''s", "row", "unclosed '", "^^^^^^"],
    ["order_date > '2024-13-45'", "row", "'2024-13-45' is not a date", "             ^^^^^^^^^^^^"],
    ["sum(max(units))", "aggregate", "max() is inside another aggregate", "    ^^^"],
    [
      "case when returned then 1 else 'x' end",
      "row",
      "every branch must give the same type, but this else gives text and an earlier one an integer",
      "                               ^^^",
    ],
  ];
  for (const [text, context, message, caret] of cases) {
    const got = failure(text, () => checkExpr(parseExpr(text), COLUMNS, context));
    assert.equal(got.message, message, text);
    assert.equal(got.caret, `  ${text}\n  ${caret}`, text);
  }
  assert.match(
    failure("units + 1", () => checkCondition(parseExpr("units + 1"), COLUMNS)).message,
    /a filter must be a condition/,
  );
  // The hint lists the columns when none is close.
  assert.match(
    failure("zzz > 1", () => checkExpr(parseExpr("zzz > 1"), COLUMNS, "row")).hint ?? "",
    /'region', 'revenue'/,
  );
});

test("the checker types every node and reads text beside a date as a date", () => {
  const checked = checkExpr(
    parseExpr("sum(case when returned then 1 else 0 end) / count()"),
    COLUMNS,
    "aggregate",
  );
  assert.equal(checked.type, "integer");
  assert.equal(checkExpr(parseExpr("sum(revenue) / count()"), COLUMNS, "aggregate").type, "float");
  const filter = checkCondition(
    parseExpr("'2024-01-01' <= order_date and order_date < '2024-02-01'"),
    COLUMNS,
  );
  assert.equal(
    toSql(filter.expr),
    "((DATE '2024-01-01' <= \"order_date\") AND (\"order_date\" < DATE '2024-02-01'))",
  );
  assert.equal(
    checkExpr(parseExpr("date_trunc('Month', order_date)"), COLUMNS, "row").type,
    "date",
  );
  assert.equal(checkExpr(parseExpr("coalesce(units, revenue)"), COLUMNS, "row").type, "float");
  assert.equal(
    checkExpr(parseExpr(`cast(units as varchar) || '${DATE_PARTS[0]}'`), COLUMNS, "row").type,
    "string",
  );
});
