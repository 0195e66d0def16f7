import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Bool,
  DateDay,
  Float64,
  Int32,
  Int64,
  Table,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import type { QuerySpec, TimeUnit } from "../src/config/spec.ts";
import { ReportError } from "../src/errors.ts";
import { summarize } from "../src/summarize/index.ts";
import {
  dictionaryVector,
  filter,
  fixedVector,
  key,
  measure,
  query,
  type RefColumn,
  refQuery,
  specOf,
} from "./summarize-reference.ts";

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

// 2024-01-07 is a Sunday, 2024-01-08 a Monday; 2023-12-31 a Sunday.
const ref: RefColumn[] = [
  {
    name: "region",
    type: "string",
    values: ["East", "West", "East", null, "West", "East", "North", "West", null, "East"],
  },
  {
    name: "product",
    type: "string",
    values: ["pen", "ink", "pen", "pad", null, "ink", "pen", "pen", "pad", "pad"],
  },
  { name: "qty", type: "integer", values: [3, 1, null, 5, 2, 2, 7, 1, 4, 3] },
  { name: "revenue", type: "float", values: [30.5, 12, 8, null, 20.25, 18, 70, 10, 40, 33.5] },
  {
    name: "order_date",
    type: "date",
    values: [
      day("2023-12-31"),
      day("2024-01-07"),
      day("2024-01-08"),
      day("2024-03-31"),
      null,
      day("2024-04-01"),
      day("2024-01-08"),
      day("2024-02-29"),
      day("2025-01-01"),
      day("2024-01-07"),
    ],
  },
  {
    name: "ts",
    type: "timestamp",
    values: [
      Date.UTC(2024, 0, 7, 23, 59),
      Date.UTC(2024, 0, 8, 0, 1),
      null,
      Date.UTC(2024, 5, 30, 12),
      Date.UTC(2024, 6, 1, 0, 0),
      Date.UTC(2024, 0, 8, 9),
      Date.UTC(2024, 0, 7),
      Date.UTC(2023, 11, 31, 23, 59, 59),
      Date.UTC(2024, 0, 1),
      Date.UTC(2024, 0, 8, 0, 0),
    ],
  },
  {
    name: "paid",
    type: "boolean",
    values: [true, false, true, true, null, false, true, true, false, true],
  },
  { name: "id", type: "integer", values: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19] },
];
const col = (name: string) => ref.find((c) => c.name === name)?.values ?? [];

const table = new Table({
  region: dictionaryVector(col("region") as (string | null)[]),
  product: vectorFromArray(col("product") as (string | null)[], new Utf8()),
  qty: fixedVector(new Int32(), col("qty") as (number | null)[], Int32Array),
  revenue: fixedVector(new Float64(), col("revenue") as (number | null)[], Float64Array),
  order_date: fixedVector(
    new DateDay(),
    col("order_date").map((v) => (v === null ? null : (v as number) / 86_400_000)),
    Int32Array,
  ),
  ts: fixedVector(
    new TimestampMillisecond(),
    col("ts").map((v) => (v === null ? null : BigInt(v as number))),
    BigInt64Array,
  ),
  paid: vectorFromArray(col("paid") as (boolean | null)[], new Bool()),
  id: fixedVector(
    new Int64(),
    col("id").map((v) => BigInt(v as number)),
    BigInt64Array,
  ),
});

function run(q: QuerySpec) {
  return summarize(table, specOf({ queries: [q] })).queries[q.name];
}

function check(q: QuerySpec) {
  const result = run(q);
  assert.deepEqual(result.rows, refQuery(ref, q), JSON.stringify(q));
  return result;
}

describe("query: measures", () => {
  it("computes every measure per group, nulls forming their own group", () => {
    const result = check(
      query("all", {
        groupBy: [key("region")],
        measures: [
          measure("rows", "count"),
          measure("with_qty", "count", "qty"),
          measure("revenue", "sum", "revenue"),
          measure("avg_qty", "mean", "qty"),
          measure("min_rev", "min", "revenue"),
          measure("max_rev", "max", "revenue"),
          measure("median_qty", "median", "qty"),
          measure("products", "count_distinct", "product"),
          measure("first_day", "min", "order_date"),
          measure("last_ts", "max", "ts"),
          measure("min_product", "min", "product"),
          measure("paid_rows", "sum", "paid"),
        ],
      }),
    );
    assert.deepEqual(
      result.columns.map((c) => `${c.name}:${c.type}`),
      [
        "region:string",
        "rows:integer",
        "with_qty:integer",
        "revenue:float",
        "avg_qty:float",
        "min_rev:float",
        "max_rev:float",
        "median_qty:float",
        "products:integer",
        "first_day:date",
        "last_ts:timestamp",
        "min_product:string",
        "paid_rows:integer",
      ],
    );
    // Hand-checked: East rows 0, 2, 5, 9.
    assert.deepEqual(result.rows[0], {
      region: "East",
      rows: 4,
      with_qty: 3,
      revenue: 90,
      avg_qty: 8 / 3,
      min_rev: 8,
      max_rev: 33.5,
      median_qty: 3,
      products: 3,
      first_day: "2023-12-31",
      last_ts: "2024-01-08T09:00:00.000Z",
      min_product: "ink",
      paid_rows: 3,
    });
    assert.equal(result.rows.find((r) => r.region === null)?.rows, 2);
  });

  it("gives an even-sized median the mean of the middle two, and the median of dates", () => {
    const result = check(
      query("m", {
        measures: [measure("rev", "median", "revenue"), measure("d", "median", "order_date")],
      }),
    );
    // revenue present: 8 10 12 18 20.25 30.5 33.5 40 70 → 20.25
    assert.equal(result.rows[0].rev, 20.25);
  });

  it("returns one row without group_by, even when no row passes the filter", () => {
    const q = query("none", {
      filter: [filter("qty", ">", 100)],
      measures: [
        measure("n", "count"),
        measure("s", "sum", "revenue"),
        measure("d", "count_distinct", "region"),
      ],
    });
    assert.deepEqual(check(q).rows, [{ n: 0, s: null, d: 0 }]);
    const grouped = check(query("g", { ...q, groupBy: [key("region")] }));
    assert.deepEqual(grouped.rows, []);
  });

  it("groups by several keys, numbers and booleans included", () => {
    check(
      query("multi", {
        groupBy: [key("region"), key("paid"), key("qty")],
        measures: [measure("n", "count"), measure("r", "sum", "revenue")],
      }),
    );
  });
});

describe("query: time buckets", () => {
  const units: TimeUnit[] = ["day", "week", "month", "quarter", "year"];
  for (const unit of units) {
    for (const column of ["order_date", "ts"]) {
      it(`buckets ${column} by ${unit}`, () => {
        const result = check(
          query("t", {
            groupBy: [key(column, unit)],
            measures: [measure("n", "count"), measure("q", "sum", "qty")],
          }),
        );
        assert.deepEqual(result.columns[0], { name: unit, type: "date" });
      });
    }
  }

  it("starts weeks on Monday", () => {
    const result = run(
      query("w", { groupBy: [key("order_date", "week")], measures: [measure("n", "count")] }),
    );
    assert.deepEqual(
      result.rows.map((r) => [r.week, r.n]),
      [
        ["2023-12-25", 1],
        ["2024-01-01", 2],
        ["2024-01-08", 2],
        ["2024-02-26", 1],
        ["2024-03-25", 1],
        ["2024-04-01", 1],
        ["2024-12-30", 1],
        [null, 1],
      ],
    );
  });

  it("puts quarters and a bucket with another key in time order", () => {
    const result = check(
      query("q", {
        groupBy: [key("region"), key("ts", "quarter")],
        measures: [measure("n", "count")],
      }),
    );
    assert.equal(result.rows[0].quarter, "2023-10-01");
  });
});

describe("query: filters", () => {
  const cases: [string, QuerySpec["filter"], number][] = [
    ["= number", [filter("qty", "=", 2)], 2],
    ["!= number drops nulls", [filter("qty", "!=", 2)], 7],
    ["< number", [filter("revenue", "<", 18)], 3],
    ["<= number", [filter("revenue", "<=", 18)], 4],
    ["> number", [filter("revenue", ">", 33.5)], 2],
    [">= number (numeric string)", [filter("revenue", ">=", "33.5")], 3],
    ["in numbers", [filter("qty", "in", [1, 3])], 4],
    ["not in numbers", [filter("qty", "not in", [1, 3])], 5],
    ["is null", [filter("region", "is null")], 2],
    ["is not null", [filter("revenue", "is not null")], 9],
    ["= string", [filter("region", "=", "East")], 4],
    ["!= string drops nulls", [filter("region", "!=", "East")], 4],
    ["< string", [filter("product", "<", "pen")], 5],
    [">= string", [filter("product", ">=", "pad")], 7],
    ["in strings", [filter("region", "in", ["North", "West"])], 4],
    ["not in strings", [filter("product", "not in", ["pen"])], 5],
    ["= date", [filter("order_date", "=", "2024-01-08")], 2],
    [">= date", [filter("order_date", ">=", "2024-02-29")], 4],
    ["< timestamp", [filter("ts", "<", "2024-01-07T12:00:00Z")], 3],
    ["> timestamp with offset", [filter("ts", ">", "2024-01-08T01:00:00+01:00")], 4],
    ["in dates", [filter("order_date", "in", ["2024-01-07", "2025-01-01"])], 3],
    ["= boolean", [filter("paid", "=", true)], 6],
    ["!= boolean", [filter("paid", "!=", "true")], 3],
    ["two filters", [filter("region", "=", "East"), filter("qty", ">=", 3)], 2],
  ];
  for (const [name, filters, expected] of cases) {
    it(name, () => {
      const result = check(query("f", { filter: filters, measures: [measure("n", "count")] }));
      assert.equal(result.rows[0].n, expected);
    });
  }
});

describe("query: order and limit", () => {
  it("orders by the first measure descending by default, ties by key", () => {
    const result = check(
      query("d", { groupBy: [key("product")], measures: [measure("n", "count")] }),
    );
    assert.deepEqual(
      result.rows.map((r) => r.product),
      ["pen", "pad", "ink", null],
    );
  });

  it("sorts by any output column, nulls last in both directions, then limits", () => {
    const asc = check(
      query("s", {
        groupBy: [key("region")],
        measures: [measure("rev", "sum", "revenue")],
        sort: [{ name: "region", descending: false, path: [] }],
      }),
    );
    assert.deepEqual(
      asc.rows.map((r) => r.region),
      ["East", "North", "West", null],
    );
    const desc = check(
      query("s", {
        groupBy: [key("region")],
        measures: [measure("rev", "sum", "revenue")],
        sort: [{ name: "region", descending: true, path: [] }],
        limit: 3,
      }),
    );
    assert.deepEqual(
      desc.rows.map((r) => r.region),
      ["West", "North", "East"],
    );
    const byMeasure = check(
      query("s", {
        groupBy: [key("product")],
        measures: [measure("q", "sum", "qty")],
        sort: [{ name: "q", descending: false, path: [] }],
        limit: 2,
      }),
    );
    assert.equal(byMeasure.rows.length, 2);
  });
});

describe("query: errors", () => {
  const locations = {
    "queries.by_region.group_by[0]": { file: "/reports/sales.yml", line: 7, column: 18 },
  };

  it("names the location, the field and the closest column", () => {
    const q = query("by_region", {
      groupBy: [key("regoin", undefined, ["queries", "by_region", "group_by", 0])],
      measures: [measure("n", "count")],
    });
    assert.throws(
      () => summarize(table, specOf({ queries: [q] }, locations)),
      (error: unknown) => {
        assert.ok(error instanceof ReportError);
        assert.equal(
          error.message,
          "/reports/sales.yml:7:18: queries.by_region.group_by[0]: column 'regoin' not found; did you mean 'region'? " +
            "Available columns: 'region', 'product', 'qty', 'revenue', 'order_date', 'ts', 'paid', 'id'.",
        );
        return true;
      },
    );
  });

  it("leaves out the location when the spec cannot locate the field, and the suggestion when none is close", () => {
    const q = query("q", {
      measures: [measure("s", "sum", "zzz", ["queries", "q", "measures", "s"])],
    });
    assert.throws(() => summarize(table, specOf({ queries: [q] })), {
      name: "ReportError",
      message:
        "queries.q.measures.s: column 'zzz' not found. " +
        "Available columns: 'region', 'product', 'qty', 'revenue', 'order_date', 'ts', 'paid', 'id'.",
    });
  });

  it("refuses a sum of a string column", () => {
    const q = query("q", {
      measures: [measure("s", "sum", "region", ["queries", "q", "measures", "s"])],
    });
    assert.throws(() => summarize(table, specOf({ queries: [q] })), {
      name: "ReportError",
      message:
        "queries.q.measures.s: sum(region): sum needs a numeric (or boolean) column, but 'region' is string.",
    });
  });

  it("refuses a time bucket of a non-date column, unknown sort names and bad filter values", () => {
    const bucket = query("q", {
      groupBy: [key("region", "month", ["g"])],
      measures: [measure("n", "count")],
    });
    assert.throws(
      () => summarize(table, specOf({ queries: [bucket] })),
      /g: month\(region\): month\(\) needs a date/,
    );
    const sort = query("q", {
      groupBy: [key("region")],
      measures: [measure("revenue", "sum", "revenue")],
      sort: [{ name: "revenu", descending: true, path: ["s"] }],
    });
    assert.throws(
      () => summarize(table, specOf({ queries: [sort] })),
      /^ReportError: s: output column 'revenu' not found; did you mean 'revenue'\? Available output columns: 'region', 'revenue'\.$/,
    );
    const badDate = query("q", {
      filter: [filter("order_date", ">", "last week", ["f"])],
      measures: [measure("n", "count")],
    });
    assert.throws(
      () => summarize(table, specOf({ queries: [badDate] })),
      /^ReportError: f: 'last week' is not a date\n {2}"order_date" > 'last week'\n {2}\s+\^{11}$/,
    );
    const badNumber = query("q", {
      filter: [filter("qty", ">", "many", ["f"])],
      measures: [measure("n", "count")],
    });
    assert.throws(
      () => summarize(table, specOf({ queries: [badNumber] })),
      /f: 'many' is not a number/,
    );
    // A list is for in (...) only: `qty = (1, 2)` does not parse.
    assert.throws(() => filter("qty", "=", [1, 2], ["f"]), /expected '\)' but found ','/);
  });

  it("checks the columns a profile or histogram section names", () => {
    const sections = [
      // As the definition reader makes it: `- profile: [qty, revnue]` is sections[2].profile[1].
      { kind: "profile" as const, columns: ["qty", "revnue"], path: ["sections", 2] },
    ];
    assert.throws(
      () => summarize(table, specOf({ sections })),
      /^ReportError: sections\[2\]\.profile\[1\]: column 'revnue' not found; did you mean 'revenue'\?/,
    );
  });
});
