// The column-wise evaluator (src/expr/eval.ts) against DuckDB running the SQL printer's output
// (src/expr/to-sql.ts) over the same small table, nulls and edge cases included: every
// operator, function and aggregate, one DuckDB query per batch of cases. DuckDB is an independent SQL
// engine; where it spells a function differently from Trino, or means something else by the
// same name, the printer's output is adjusted here (and only here), so Trino's meaning is
// what is compared.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { ColumnType } from "../src/column-type.ts";
import { parseMeasure } from "../src/config/expr.ts";
import type { Expr } from "../src/expr/ast.ts";
import { type Checked, checkExpr } from "../src/expr/check.ts";
import { evaluate, selectWhere } from "../src/expr/eval.ts";
import { parseExpr } from "../src/expr/parse.ts";
import { quoteIdentifier, quoteString, type SqlOverride, toSql } from "../src/expr/to-sql.ts";
import { numberVector, textVector, type Vector } from "../src/expr/vector.ts";
import { runQuery } from "../src/summarize/query.ts";
import { specOf } from "./summarize-reference.ts";

type Value = number | string | boolean | null;

/** The table: a column per type, with nulls, zeros, negatives, empty and odd text. */
const COLUMNS: { name: string; type: ColumnType; sql: string; values: Value[] }[] = [
  { name: "i", type: "integer", sql: "BIGINT", values: [7, -7, 0, 3, null, 10, 1, -2, 5, 100] },
  { name: "j", type: "integer", sql: "BIGINT", values: [2, 2, 0, -3, 4, null, 0, 5, 2, 7] },
  {
    name: "x",
    type: "float",
    sql: "DOUBLE",
    values: [2.5, -2.5, 0, 1.675, null, 1234.5, -0.5, 9.99, 1e-3, 16],
  },
  { name: "y", type: "float", sql: "DOUBLE", values: [0.5, 0, 3, null, 2, -1.5, 4, 0.25, 10, -3] },
  {
    name: "s",
    type: "string",
    sql: "VARCHAR",
    values: ["Apple", "apple", "", "  pad  ", null, "it's", "a_b%c", "Éclair", "banana", "50%"],
  },
  {
    name: "u",
    type: "string",
    sql: "VARCHAR",
    values: ["p", "A", "x", null, "e", "'", "_", "É", "an", "%"],
  },
  {
    name: "b",
    type: "boolean",
    sql: "BOOLEAN",
    values: [true, false, null, true, false, null, true, false, true, true],
  },
  {
    name: "c",
    type: "boolean",
    sql: "BOOLEAN",
    values: [true, true, true, false, false, false, null, null, null, true],
  },
  {
    name: "d",
    type: "date",
    sql: "DATE",
    values: [
      "2024-01-31",
      "2024-02-29",
      "2023-12-31",
      null,
      "2021-01-03",
      "2024-03-01",
      "2020-12-28",
      "1999-07-15",
      "2024-12-30",
      "2025-01-01",
    ],
  },
  {
    name: "e",
    type: "date",
    sql: "DATE",
    values: [
      "2024-02-29",
      "2024-01-31",
      "2024-12-31",
      "2024-01-01",
      null,
      "2023-03-01",
      "2021-01-04",
      "2001-07-14",
      "2025-01-05",
      "2024-01-01",
    ],
  },
  {
    name: "t",
    type: "timestamp",
    sql: "TIMESTAMP",
    values: [
      "2024-01-31 23:59:59",
      "2024-02-29 00:00:00",
      null,
      "2024-06-15 12:30:00",
      "2021-01-03 01:00:00",
      "2024-03-01 00:00:01",
      "2020-12-28 18:00:00",
      "1999-07-15 06:00:00",
      "2024-12-30 00:00:00",
      "2025-01-01 00:00:00",
    ],
  },
];
const ROWS = COLUMNS[0].values.length;

const DAY = 86_400_000;
const ms = (text: string) =>
  Date.parse(`${text.replace(" ", "T")}${text.length === 10 ? "T00:00:00" : ""}Z`);

/** The table as vectors, built from the values above (not through the readers). */
function vectorOf(column: (typeof COLUMNS)[number]): Vector {
  const { type, values } = column;
  if (type === "string") return textVector(ROWS, (i) => values[i] as string | null);
  return numberVector(type, ROWS, (i) => {
    const v = values[i];
    if (v === null) return null;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "string") return ms(v);
    return v;
  });
}

const VECTORS = new Map(COLUMNS.map((c) => [c.name, vectorOf(c)]));
const FRAME = {
  length: ROWS,
  column: (name: string) => {
    const v = VECTORS.get(name);
    if (v === undefined) throw new Error(name);
    return v;
  },
};

/** One evaluated cell as a comparable value: dates as ISO text, timestamps as epoch ms. */
function cellOf(v: Vector, type: string, i: number): Value {
  if (v.kind === "category") return v.codes[i] < 0 ? null : v.labels[v.codes[i]];
  if (v.valid !== null && v.valid[i] === 0) return null;
  const x = v.values[i];
  if (type === "boolean") return x !== 0;
  if (type === "date") return new Date(x).toISOString().slice(0, 10);
  return x;
}

/**
 * DuckDB's spelling of Trino's meaning: `/` of two integers is `//`; concat, greatest and
 * least are null when any argument is; date_diff counts whole units (DuckDB's date_sub);
 * day_of_week is isodow; median is exact in both; a double cast to an integer rounds half away
 * from zero; sqrt and ln outside their domain are NaN or -Infinity in Trino (missing here).
 */
function duckdb(checked: Checked): SqlOverride {
  const integer = (node: Expr) => checked.types.get(node) === "integer";
  return (node, print) => {
    if (node.kind === "binary" && node.op === "/" && integer(node.left) && integer(node.right))
      return `(${print(node.left)} // ${print(node.right)})`;
    if (node.kind === "cast" && node.to === "integer" && checked.types.get(node.arg) === "float")
      // DuckDB rounds half to even here; Trino (and round() in both) half away from zero.
      return `CAST(round(${print(node.arg)}) AS BIGINT)`;
    if (node.kind !== "call") return undefined;
    const args = node.args.map(print);
    const anyNull = args.map((a) => `${a} IS NULL`).join(" OR ");
    switch (node.name) {
      case "concat":
        return `(${args.join(" || ")})`;
      case "greatest":
      case "least":
        return `(CASE WHEN ${anyNull} THEN NULL ELSE ${node.name}(${args.join(", ")}) END)`;
      case "date_diff":
        return `date_sub(${args.join(", ")})`;
      case "day_of_week":
        return `isodow(${args[0]})`;
      case "sqrt":
        // Trino gives NaN (a missing value here) where DuckDB stops with an error.
        return `(CASE WHEN ${args[0]} < 0 THEN NULL ELSE sqrt(${args[0]}) END)`;
      case "ln":
        return `(CASE WHEN ${args[0]} <= 0 THEN NULL ELSE ln(${args[0]}) END)`;
      case "replace":
        return `replace(${args[0]}, ${args[1]}, ${args[2] ?? "''"})`;
      case "median":
        return `median(${args[0]})`;
      default:
        return undefined;
    }
  };
}

/** A DuckDB cell as a comparable value (BIGINT, DECIMAL, DATE, TIMESTAMP converted). */
function duckValue(value: unknown, type: string): Value {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  const text = String(value);
  if (type === "date") return text.slice(0, 10);
  if (type === "timestamp") return ms(text.slice(0, 19));
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

let instance: DuckDBInstance;
let db: DuckDBConnection;

before(async () => {
  instance = await DuckDBInstance.create(":memory:");
  db = await instance.connect();
  const columns = COLUMNS.map((c) => `${quoteIdentifier(c.name)} ${c.sql}`).join(", ");
  await db.run(`CREATE TABLE data (row_no INTEGER, ${columns})`);
  const literal = (v: Value, sql: string) =>
    v === null ? "NULL" : typeof v === "string" ? `CAST(${quoteString(v)} AS ${sql})` : String(v);
  const rows = Array.from(
    { length: ROWS },
    (_, i) => `(${i}, ${COLUMNS.map((c) => literal(c.values[i], c.sql)).join(", ")})`,
  );
  await db.run(`INSERT INTO data VALUES ${rows.join(", ")}`);
});

after(() => {
  db.closeSync();
  instance.closeSync();
});

/** Evaluates each expression here and in DuckDB (one query for all), and compares cells. */
async function compareWithDuckDb(texts: readonly string[]): Promise<void> {
  const checked = texts.map((text) => checkExpr(parseExpr(text), [...COLUMNS], "row"));
  const select = checked.map((c, k) => `${toSql(c.expr, duckdb(c))} AS c${k}`).join(", ");
  const reader = await db.runAndReadAll(`SELECT ${select} FROM data ORDER BY row_no`);
  const rows = reader.getRows();
  checked.forEach((c, k) => {
    const ours = evaluate(c, FRAME);
    const type = c.type;
    for (let i = 0; i < ROWS; i++) {
      const expected = duckValue(rows[i][k], type);
      const actual = cellOf(ours, type, i);
      const where = `${texts[k]} (row ${i}; SQL ${toSql(c.expr, duckdb(c))})`;
      if (typeof expected === "number" && typeof actual === "number") {
        assert.ok(
          Math.abs(expected - actual) <= 1e-9 * Math.max(1, Math.abs(expected)),
          `${where}: ${actual} vs DuckDB ${expected}`,
        );
      } else {
        assert.deepEqual(
          actual,
          type === "timestamp" && typeof expected === "number" ? expected : expected,
          where,
        );
      }
    }
  });
}

test("arithmetic: integer and double, division and modulo (by zero: null), unary minus", async () => {
  await compareWithDuckDb([
    "i + j",
    "i - j * 2",
    "i * x",
    "i / j",
    "x / y",
    "i % j",
    "x % y",
    "-i",
    "-(x + 1)",
    "i / 2.0",
    "7 / 2",
    "1 / 0",
    "x / 0",
  ]);
});

test("comparisons and three-valued logic on numbers, text, booleans and dates", async () => {
  await compareWithDuckDb([
    "i = j",
    "i <> j",
    "i != j",
    "x < y",
    "x <= y",
    "i > 0",
    "i >= j",
    "s = 'apple'",
    "s < u",
    "s >= 'a'",
    "'b' > s",
    "b and c",
    "b or c",
    "not b",
    "not (b and c)",
    "b or i > 5",
    "b = c",
    "d < e",
    "d = '2024-02-29'",
    "t >= '2024-02-29'",
    "d < t",
  ]);
});

test("in, not in, between, like, is null", async () => {
  await compareWithDuckDb([
    "i in (7, 0, 100)",
    "i not in (7, 0)",
    "i in (j, 3)",
    "i not in (1, null)",
    "i in (1, null)",
    "s in ('Apple', '', 'it''s')",
    "s not in ('Apple', 'banana')",
    "x between 0 and 10",
    "x not between -1 and 2",
    "d between '2024-01-01' and '2024-12-31'",
    "s between 'a' and 'b'",
    "s like 'a%'",
    "s like '%a%'",
    "s like '_pple'",
    "s not like '%!%%'",
    "s like 'a\\_b%'",
    "s like u",
    "s like ''",
    "s is null",
    "s is not null",
    "x is null",
    "b is not null",
  ]);
});

test("case, coalesce, nullif, casts", async () => {
  await compareWithDuckDb([
    "case when i > 5 then 'big' when i > 0 then 'small' else 'none' end",
    "case when b then 1 end",
    "case when b then x else i end",
    "case i when 7 then 'seven' when 0 then 'zero' end",
    "case when c then d else e end",
    "coalesce(x, y, 0)",
    "coalesce(s, u, 'none')",
    "coalesce(d, e)",
    "nullif(i, 0)",
    "nullif(s, '')",
    "cast(i as double) / 2",
    "cast(x as integer)",
    "cast(i as varchar)",
    "cast(b as varchar)",
    "cast(d as varchar)",
    "cast(b as integer)",
    "cast('42' as integer) + i",
    "cast('2.5' as double) * i",
    "cast('nope' as double)",
    "cast('2024-01-31' as date) = d",
    "cast(t as date)",
    "cast(d as timestamp)",
    "cast('true' as boolean)",
    "cast(i as boolean)",
  ]);
});

test("string functions", async () => {
  await compareWithDuckDb([
    "lower(s)",
    "upper(s)",
    "length(s)",
    "trim(s)",
    "substr(s, 2)",
    "substr(s, 2, 3)",
    "substr(s, -3)",
    "substr(s, -3, 2)",
    "substr(s, 10)",
    "concat(s, '-', u)",
    "s || u",
    "s || '!'",
    "replace(s, 'a', 'A')",
    "replace(s, 'p')",
    "starts_with(s, 'a')",
    "starts_with(s, u)",
    "lower(s) = 'apple'",
  ]);
});

test("math functions", async () => {
  await compareWithDuckDb([
    "abs(i)",
    "abs(x)",
    "round(x)",
    "round(x, 1)",
    "round(x, 2)",
    "round(x, -1)",
    "round(i, -1)",
    "round(-i * 5, -1)",
    "floor(x)",
    "ceil(x)",
    "ceiling(-x)",
    "sqrt(abs(x))",
    "sqrt(x)",
    "ln(x)",
    "exp(y)",
    "power(x, 2)",
    "power(2, i)",
    "pow(y, 0.5)",
    "greatest(i, j)",
    "least(x, y, 1)",
    "greatest(s, u)",
    "greatest(d, e)",
  ]);
});

test("date functions", async () => {
  await compareWithDuckDb([
    "year(d)",
    "quarter(d)",
    "month(d)",
    "week(d)",
    "day(d)",
    "day_of_week(d)",
    "year(t)",
    "day_of_week(t)",
    "week(t)",
    "date_trunc('month', d)",
    "date_trunc('week', d)",
    "date_trunc('quarter', d)",
    "date_trunc('year', d)",
    "date_trunc('day', t)",
    "date_trunc('month', t)",
    "date_diff('day', d, e)",
    "date_diff('week', d, e)",
    "date_diff('month', d, e)",
    "date_diff('quarter', d, e)",
    "date_diff('year', d, e)",
    "date_diff('day', t, d)",
    "date_diff('month', t, e)",
    "d = date '2024-01-31'",
    "t < timestamp '2024-02-29 00:00:01'",
  ]);
});

test("a filter selects the rows where the condition is true, not false or null", async () => {
  const checked = checkExpr(parseExpr("(i > 0 or s like 'a%') and not c"), [...COLUMNS], "row");
  const ours = Array.from(selectWhere(checked, FRAME));
  const reader = await db.runAndReadAll(
    `SELECT row_no FROM data WHERE ${toSql(checked.expr)} ORDER BY row_no`,
  );
  assert.deepEqual(
    ours,
    reader.getRows().map((r) => Number(r[0])),
  );
  assert.ok(ours.length > 0 && ours.length < ROWS);
  assert.equal(DAY, 86_400_000);
});

test("aggregates and measure expressions per group, as GROUP BY in DuckDB", async () => {
  const measures = [
    "count()",
    "count(x)",
    "count(distinct s)",
    "count_distinct(d)",
    "sum(i)",
    "sum(x)",
    "avg(x)",
    "mean(i)",
    "min(s)",
    "max(s)",
    "min(d)",
    "max(t)",
    "median(x)",
    "stddev(x)",
    "sum(i) / count()",
    "sum(x) / count(x)",
    "sum(case when b then 1 else 0 end)",
    "avg(x * y)",
    "count(*) - count(x)",
    "round(avg(x), 2)",
    "coalesce(sum(y), 0)",
    "max(x) - min(x)",
    // Booleans as 0/1: the number of trues, their share and its spread; min and max stay
    // booleans. DuckDB has no avg or stddev of a boolean (Trino has no sum either).
    "sum(b)",
    "avg(b)",
    "stddev(b)",
    "min(b)",
    "max(b)",
    "sum(x > 0) / count(x)",
    "mean(s like 'a%')",
  ];
  const columns = COLUMNS.map((c) => {
    const v = VECTORS.get(c.name) as Vector;
    return v.kind === "category"
      ? { ...v, name: c.name, missing: 0 }
      : { ...v, name: c.name, missing: 0, infinite: 0 };
  });
  const query = {
    name: "q",
    groupBy: [{ name: "c", column: "c", expr: "c", path: ["g"] }],
    measures: measures.map((text, k) => {
      const parsed = parseMeasure(text);
      return { name: `m${k}`, ...parsed, expr: text, path: ["m", k] };
    }),
    filter: [],
    sort: [],
    path: ["queries", "q"],
  };
  const result = runQuery(query, columns, ROWS, specOf({ queries: [query] }));
  const checked = query.measures.map((m) => checkExpr(m.ast, [...COLUMNS], "aggregate"));
  const select = checked.map((c, k) => `${toSql(c.expr, duckdb(c), c.types)} AS m${k}`).join(", ");
  const reader = await db.runAndReadAll(`SELECT c, ${select} FROM data GROUP BY c`);
  const expected = new Map(reader.getRows().map((row) => [row[0] as boolean | null, row]));
  // Groups of three or four rows (c is true, false or null), so spreads and medians are real.
  assert.equal(expected.size, 3);
  assert.equal(result.rows.length, expected.size);
  for (const row of result.rows) {
    const duck = expected.get(row.c as boolean | null);
    assert.ok(duck !== undefined, `group ${row.c}`);
    query.measures.forEach((m, k) => {
      const type = result.columns[k + 1].type;
      const want = duckValue(duck[k + 1], type);
      const got =
        type === "timestamp" && typeof row[m.name] === "string"
          ? Date.parse(row[m.name] as string)
          : row[m.name];
      const where = `${m.expr} for c = ${row.c}`;
      if (typeof want === "number" && typeof got === "number") {
        assert.ok(
          Math.abs(want - got) <= 1e-9 * Math.max(1, Math.abs(want)),
          `${where}: ${got} vs DuckDB ${want}`,
        );
      } else {
        assert.deepEqual(got, want, where);
      }
    });
  }
});

test("a boolean's sum, avg and stddev print as Trino takes them: cast to BIGINT", () => {
  const sql = (text: string) => {
    const checked = checkExpr(parseExpr(text), [...COLUMNS], "aggregate");
    return toSql(checked.expr, undefined, checked.types);
  };
  // DuckDB sums a boolean as it is, so the comparison above cannot tell; Trino's sum() takes
  // only numbers.
  assert.equal(sql("sum(b)"), 'sum(CAST("b" AS BIGINT))');
  assert.equal(
    sql("avg(b) + stddev(x > 0)"),
    '(avg(CAST("b" AS BIGINT)) + stddev(CAST(("x" > 0) AS BIGINT)))',
  );
  // Numbers, and aggregates that take booleans as they are, print unchanged.
  assert.equal(sql("sum(i) + count(b)"), '(sum("i") + count("b"))');
  assert.equal(sql("min(i > 0)"), 'min(("i" > 0))');
  assert.equal(sql("max(b)"), 'max("b")');
});
