// Top-N with "Other" (src/summarize/other.ts): the folded row of each measure kind against
// DuckDB running the same top-N and fold in SQL over the same rows, nulls included: sums,
// counts, means, min/max, distinct counts, medians, a ratio of aggregates and a deviation.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { DateDay, Float64, Int32, Table, Utf8, vectorFromArray } from "apache-arrow";
import { mulberry32 } from "../scripts/seeded-random.ts";
import { parseReportSpec } from "../src/config/load.ts";
import { ReportError } from "../src/errors.ts";
import { summarize } from "../src/summarize/index.ts";
import type { Cell } from "../src/summarize/summary.ts";
import { dictionaryVector, fixedVector } from "./summarize-reference.ts";

const DAY = 86_400_000;
const random = mulberry32(10_6);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
const REGIONS = ["North", "South", "East", "West", "Central", "Coast", "Hills", "Isles", null];
const PRODUCTS = ["pen", "ink", "pad", "clip", "tape", null];
const N = 240;
const rows = Array.from({ length: N }, () => ({
  region: pick(REGIONS),
  product: pick(PRODUCTS),
  qty: random() < 0.1 ? null : Math.floor(random() * 9) + 1,
  revenue: random() < 0.08 ? null : Math.round(random() * 100_000) / 100,
  day: random() < 0.05 ? null : 19_700 + Math.floor(random() * 400),
}));

const table = new Table({
  region: dictionaryVector(rows.map((r) => r.region)),
  product: vectorFromArray(
    rows.map((r) => r.product),
    new Utf8(),
  ),
  qty: fixedVector(
    new Int32(),
    rows.map((r) => r.qty),
    Int32Array,
  ),
  revenue: fixedVector(
    new Float64(),
    rows.map((r) => r.revenue),
    Float64Array,
  ),
  order_date: fixedVector(
    new DateDay(),
    rows.map((r) => r.day),
    Int32Array,
  ),
});

const MEASURES = {
  revenue: "sum(revenue)",
  orders: "count()",
  with_qty: "count(qty)",
  avg_revenue: "mean(revenue)",
  avg_qty: "mean(qty)",
  lowest: "min(revenue)",
  highest: "max(revenue)",
  products: "count_distinct(product)",
  median_revenue: "median(revenue)",
  first_order: "min(order_date)",
  per_order: "sum(revenue) / count()",
  spread: "stddev(revenue)",
};

/** The same measures in SQL, by name. */
const SQL_MEASURES: Record<keyof typeof MEASURES, string> = {
  revenue: "sum(revenue)",
  orders: "count(*)",
  with_qty: "count(qty)",
  avg_revenue: "avg(revenue)",
  avg_qty: "avg(qty)",
  lowest: "min(revenue)",
  highest: "max(revenue)",
  products: "count(DISTINCT product)",
  median_revenue: "median(revenue)",
  first_order: "strftime(min(order_date), '%Y-%m-%d')",
  per_order: "sum(revenue) / count(*)",
  spread: "stddev_samp(revenue)",
};

function definition(query: string): string {
  return `title: t\nsource: data.csv\nqueries:\n  q: ${query}\nsections:\n  - table: { query: q }\n`;
}

function run(query: string): Record<string, Cell>[] {
  const spec = parseReportSpec(definition(query), "/reports/other.yml", {});
  return summarize(table, spec).queries.q.rows;
}

let duck: DuckDBInstance;
let sql: DuckDBConnection;

before(async () => {
  duck = await DuckDBInstance.create(":memory:");
  sql = await duck.connect();
  await sql.run(
    "CREATE TABLE t (region VARCHAR, product VARCHAR, qty INTEGER, revenue DOUBLE, order_date DATE)",
  );
  const literal = (v: string | number | null) =>
    v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v}'`;
  const values = rows.map(
    (r) =>
      `(${literal(r.region)}, ${literal(r.product)}, ${literal(r.qty)}, ${literal(r.revenue)}, ${
        r.day === null ? "NULL" : `DATE '${new Date(r.day * DAY).toISOString().slice(0, 10)}'`
      })`,
  );
  await sql.run(`INSERT INTO t VALUES ${values.join(", ")}`);
});

after(() => {
  sql?.closeSync();
  duck?.closeSync();
});

/**
 * Top `limit` groups of `keys` ordered by `order` (SQL), the rest folded into one row whose
 * first key is `label` and other keys null, computed by DuckDB from the rows themselves.
 */
async function reference(
  keys: string[],
  order: string,
  limit: number,
  label: string,
): Promise<Record<string, Cell>[]> {
  const measures = Object.entries(SQL_MEASURES).map(([name, expr]) => `${expr} AS ${name}`);
  const join = keys.map((k) => `t.${k} IS NOT DISTINCT FROM r.${k}`).join(" AND ");
  const shown = keys.map(
    (k, i) =>
      `CASE WHEN bucket <= ${limit} THEN any_value(${k})${i === 0 ? ` ELSE '${label}'` : ""} END AS ${k}`,
  );
  const result = await sql.runAndReadAll(`
    WITH g AS (SELECT ${keys.join(", ")}, ${measures.join(", ")} FROM t GROUP BY ALL),
    r AS (SELECT ${keys.join(", ")}, row_number() OVER (ORDER BY ${order}) AS rn FROM g),
    x AS (SELECT t.*, least(r.rn, ${limit + 1}) AS bucket FROM t JOIN r ON ${join})
    SELECT ${shown.join(", ")}, ${measures.join(", ")}, bucket AS position
    FROM x GROUP BY bucket ORDER BY bucket`);
  return result.getRowObjects().map((row) => {
    const { position: _, ...rest } = row;
    return Object.fromEntries(
      Object.entries(rest).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : (v as Cell)]),
    );
  });
}

/** Equal cells, floats to 1e-9 relative (sums in another order differ in the last bits). */
function assertRows(actual: Record<string, Cell>[], expected: Record<string, Cell>[]) {
  assert.equal(actual.length, expected.length, "row count");
  expected.forEach((row, i) => {
    for (const [name, value] of Object.entries(row)) {
      const got = actual[i][name];
      if (typeof value === "number" && typeof got === "number") {
        assert.ok(
          Math.abs(got - value) <= 1e-9 * Math.max(1, Math.abs(value)),
          `row ${i} ${name}: ${got} vs ${value}`,
        );
      } else assert.equal(got, value, `row ${i} ${name}`);
    }
  });
}

const measures = `{ ${Object.entries(MEASURES)
  .map(([k, v]) => `${k}: "${v}"`)
  .join(", ")} }`;

describe("top-N with other", () => {
  it("folds the groups past the limit into one row, each measure kind recomputed over its rows", async () => {
    const got = run(
      `{ group_by: [region], measures: ${measures}, sort: -revenue, limit: 4, other: "All other regions" }`,
    );
    const expected = await reference(
      ["region"],
      "revenue DESC NULLS LAST, region ASC NULLS LAST",
      4,
      "All other regions",
    );
    assert.equal(got.length, 5);
    assert.equal(got[4].region, "All other regions");
    assertRows(got, expected);
    // Summing or averaging the folded groups' results would give these wrong figures instead.
    const all = run(`{ group_by: [region], measures: ${measures}, sort: -revenue }`);
    const summedDistinct = all.slice(4).reduce((n, r) => n + Number(r.products), 0);
    assert.ok(summedDistinct > Number(got[4].products), "distinct counts are not added");
  });

  it("keeps the other row last when the sort is ascending, and labels it Other for true", async () => {
    const got = run(
      `{ group_by: [region], measures: ${measures}, sort: revenue, limit: 3, other: true }`,
    );
    const expected = await reference(
      ["region"],
      "revenue ASC NULLS LAST, region ASC NULLS LAST",
      3,
      "Other",
    );
    assert.equal(got.at(-1)?.region, "Other");
    assertRows(got, expected);
  });

  it("puts the label in the first key and null in the others with two keys", async () => {
    const got = run(
      `{ group_by: [region, product], measures: ${measures}, sort: [-orders], limit: 6, other: true }`,
    );
    const expected = await reference(
      ["region", "product"],
      "orders DESC NULLS LAST, region ASC NULLS LAST, product ASC NULLS LAST",
      6,
      "Other",
    );
    assert.equal(got[6].product, null);
    assertRows(got, expected);
  });

  it("adds no row when every group fits within the limit", () => {
    const got = run(`{ group_by: [region], measures: { n: count() }, limit: 20, other: true }`);
    assert.equal(got.length, REGIONS.length);
    assert.ok(!got.some((r) => r.region === "Other"));
  });

  it("rejects other without limit, and a first key that is not text", () => {
    assert.throws(
      () => run(`{ group_by: [region], measures: { n: count() }, other: true }`),
      (error: unknown) =>
        error instanceof ReportError &&
        /other\.yml:4:\d+: queries\.q\.other: .*needs limit/.test(error.message),
    );
    assert.throws(
      () =>
        run(`{ group_by: ["month(order_date)"], measures: { n: count() }, limit: 3, other: true }`),
      (error: unknown) =>
        error instanceof ReportError &&
        /queries\.q\.other: .*'month', which holds date values/.test(error.message),
    );
  });
});
