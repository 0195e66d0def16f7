// A small hand-written report: spec + summary as the config and summarize stages would give
// them, for chart and render tests and the golden page under test/output/.
import { parseExpr } from "../../../src/expr/parse.ts";
import { limitsFromEnv } from "../../../src/limits.ts";
import type { ReportSpec, SectionSpec } from "../../../src/config/spec.ts";
import type { Summary } from "../../../src/summarize/summary.ts";

const sections: SectionSpec[] = [
  {
    kind: "kpis",
    path: ["sections", 0],
    kpis: [
      {
        label: "Revenue",
        measure: { name: "revenue", ast: parseExpr("sum(revenue)"), op: "sum", column: "revenue", expr: "sum(revenue)", path: [] },
        format: "currency",
        filter: [],
        path: ["sections", 0, "kpis", 0],
      },
      {
        label: "Orders",
        measure: { name: "orders", ast: parseExpr("count()"), op: "count", expr: "count()", path: [] },
        format: "integer",
        filter: [],
        path: ["sections", 0, "kpis", 1],
      },
    ],
  },
  {
    kind: "chart",
    title: "Revenue by region",
    query: "by_region",
    mark: "bar",
    x: "region",
    y: "revenue",
    format: "currency",
    path: ["sections", 1],
  },
  {
    kind: "chart",
    title: "Revenue by month",
    query: "by_month",
    mark: "line",
    x: "month",
    y: "revenue",
    format: "currency",
    path: ["sections", 2],
  },
  { kind: "table", query: "by_region", path: ["sections", 3] },
  { kind: "text", text: "Figures are in US dollars.\n\nSee <demo> & notes.", path: ["sections", 4] },
  { kind: "profile", columns: "all", path: ["sections", 5] },
];

/** Positions as the YAML loader would report them: line = 10 + section index. */
export function salesSpec(overrides: Partial<ReportSpec> = {}): ReportSpec {
  return {
    title: "Sales <demo> overview",
    description: "Revenue & orders, by region and month.",
    source: { csv: {} },
    columns: [],
    limits: limitsFromEnv({}),
    queries: {
      by_region: {
        name: "by_region",
        groupBy: [{ name: "region", column: "region", expr: "region", path: [] }],
        measures: [
          { name: "revenue", ast: parseExpr("sum(revenue)"), op: "sum", column: "revenue", expr: "sum(revenue)", path: [] },
          { name: "orders", ast: parseExpr("count()"), op: "count", expr: "count()", path: [] },
        ],
        filter: [],
        sort: [{ name: "revenue", descending: true, path: [] }],
        path: ["queries", "by_region"],
      },
      by_month: {
        name: "by_month",
        groupBy: [{ name: "month", column: "order_date", unit: "month", expr: "month(order_date)", path: [] }],
        measures: [{ name: "revenue", ast: parseExpr("sum(revenue)"), op: "sum", column: "revenue", expr: "sum(revenue)", path: [] }],
        filter: [],
        sort: [{ name: "month", descending: false, path: [] }],
        path: ["queries", "by_month"],
      },
    },
    sections: structuredClone(sections),
    locale: "en-US",
    currency: "USD",
    file: "/reports/sales.yml",
    locate: (path) =>
      path[0] === "sections" && typeof path[1] === "number"
        ? { file: "/reports/sales.yml", line: 10 + path[1], column: path.length > 2 ? 14 : 5 }
        : undefined,
    ...overrides,
  };
}

export const regions = [
  { region: "Europe", revenue: 1_204_500.5, orders: 3120 },
  { region: "North America", revenue: 987_000, orders: 2800 },
  { region: "Asia Pacific", revenue: 702_250.25, orders: 2011 },
  { region: "Latin America", revenue: 401_000, orders: 1200 },
  { region: "Middle East & Africa", revenue: 203_999.99, orders: 640 },
];

export const months = [
  "2024-01-01",
  "2024-02-01",
  "2024-03-01",
  "2024-04-01",
  "2024-05-01",
  "2024-06-01",
].map((month, i) => ({ month, revenue: 400_000 + i * 55_000 - (i % 2) * 80_000 }));

export function salesSummary(): Summary {
  return {
    rows: 9771,
    columns: [
      {
        name: "region",
        type: "string",
        count: 9771,
        missing: 0,
        distinct: 5,
        top: regions.map((r) => ({ value: r.region, count: r.orders })),
      },
      {
        name: "revenue",
        type: "float",
        count: 9700,
        missing: 71,
        distinct: 8000,
        min: 0,
        max: 2500,
        mean: 358.3,
        std: 210.77,
        zeros: 12,
        quantiles: { p5: 20, p25: 150, p50: 320, p75: 510, p95: 900 },
        histogram: [0, 500, 1000, 1500, 2000].map((start, i) => ({
          start,
          end: start + 500,
          count: [4000, 3500, 1500, 600, 100][i],
        })),
      },
      {
        name: "order_date",
        type: "date",
        count: 9771,
        missing: 0,
        distinct: 182,
        min: "2024-01-01",
        max: "2024-06-30",
        quantiles: { p5: "2024-01-10", p25: "2024-02-15", p50: "2024-03-31", p75: "2024-05-15", p95: "2024-06-20" },
        histogram: months.map((m, i) => ({ start: m.month, end: months[i + 1]?.month ?? "2024-07-01", count: 1500 + i * 20 })),
        histogramUnit: "month",
      },
    ],
    queries: {
      by_region: {
        name: "by_region",
        columns: [
          { name: "region", type: "string" },
          { name: "revenue", type: "float" },
          { name: "orders", type: "integer" },
        ],
        rows: regions.map((r) => ({ ...r })),
      },
      by_month: {
        name: "by_month",
        columns: [
          { name: "month", type: "date" },
          { name: "revenue", type: "float" },
        ],
        rows: months.map((m) => ({ ...m })),
      },
    },
    kpis: [
      { section: 0, label: "Revenue", format: "currency", value: 3_498_750.74 },
      {
        section: 0,
        label: "Orders",
        format: "integer",
        value: 9771,
        comparison: {
          current: "2024-06-01",
          previous: "2024-05-01",
          currentValue: 1600,
          previousValue: 1580,
          change: 20 / 1580,
          unit: "month",
          partial: true,
        },
      },
    ],
    alerts: [
      { kind: "missing", column: "revenue", value: 71 / 9771, message: "0.7% of values are missing" },
      { kind: "duplicates", value: 3, message: "3 duplicate rows" },
    ],
  };
}
