// Times the chart and render stages: renderCharts on a report with N chart sections (bars
// with 15 categories, 24-month lines) and 8 profiled columns (sparklines), then renderReport.
// Run: npx tsx bench/charts.ts [charts]

import { renderCharts } from "../src/chart/index.ts";
import type { ReportSpec, SectionSpec } from "../src/config/spec.ts";
import { limitsFromEnv } from "../src/limits.ts";
import { assembleModel, renderReport } from "../src/render/index.ts";
import type { ColumnProfile, QueryResult, Summary } from "../src/summarize/summary.ts";

const count = Number(process.argv[2] ?? 20);
const categories = Array.from(
  { length: 15 },
  (_, i) => `Category ${String(i).padStart(2, "0")} & more`,
);
const byCategory: QueryResult = {
  name: "by_category",
  columns: [
    { name: "category", type: "string" },
    { name: "revenue", type: "float" },
  ],
  rows: categories.map((category, i) => ({ category, revenue: 1000 + ((i * 7919) % 5000) * 37.5 })),
};
const byMonth: QueryResult = {
  name: "by_month",
  columns: [
    { name: "month", type: "date" },
    { name: "revenue", type: "float" },
  ],
  rows: Array.from({ length: 24 }, (_, i) => ({
    month: new Date(Date.UTC(2023, i, 1)).toISOString().slice(0, 10),
    revenue: 50_000 + ((i * 104729) % 30_000),
  })),
};
const columns: ColumnProfile[] = Array.from({ length: 8 }, (_, c) => ({
  name: `metric_${c}`,
  type: "float",
  count: 1_000_000,
  missing: 0,
  distinct: 900_000,
  min: 0,
  max: 100,
  histogram: Array.from({ length: 20 }, (_, b) => ({
    start: b * 5,
    end: b * 5 + 5,
    count: Math.round(50_000 * Math.exp(-((b - 10) ** 2) / 20)),
  })),
}));
const sections: SectionSpec[] = Array.from({ length: count }, (_, i) => ({
  kind: "chart",
  title: `Chart ${i + 1}`,
  query: i % 2 === 0 ? "by_category" : "by_month",
  mark: i % 2 === 0 ? "bar" : "line",
  x: i % 2 === 0 ? "category" : "month",
  y: "revenue",
  format: "currency",
  path: ["sections", i],
}));
sections.push({ kind: "profile", columns: "all", path: ["sections", count] });
const spec: ReportSpec = {
  title: "Bench",
  source: { csv: {} },
  columns: [],
  limits: limitsFromEnv({}),
  queries: {},
  sections,
  locale: "en-US",
  currency: "USD",
  file: "",
  locate: () => undefined,
};
const summary: Summary = {
  rows: 1_000_000,
  columns,
  queries: { by_category: byCategory, by_month: byMonth },
  kpis: [],
  alerts: [],
};

const started = performance.now();
const charts = await renderCharts(spec, summary);
const chartsMs = performance.now() - started;
const { firstMs, totalMs, count: rendered } = charts.timing;
const renderStart = performance.now();
const html = await renderReport(
  assembleModel({ spec, summary, source: { label: "bench" }, charts, now: new Date() }),
  {
    defaultsDir: new URL("../templates/", import.meta.url).pathname,
    locale: "en-US",
    currency: "USD",
  },
);
const renderMs = performance.now() - renderStart;
const svgBytes = [...charts.charts.values()].reduce((n, c) => n + c.svg.length, 0);
console.log(
  `${rendered} SVGs (${count} charts + ${charts.histograms.size} sparklines): first ${firstMs.toFixed(0)} ms, ` +
    `then ${((totalMs - firstMs) / Math.max(1, rendered - 1)).toFixed(1)} ms each, ` +
    `renderCharts ${chartsMs.toFixed(0)} ms (incl. font load); ` +
    `renderReport ${renderMs.toFixed(0)} ms, page ${(html.length / 1024).toFixed(0)} KB, ` +
    `chart SVG avg ${(svgBytes / count / 1024).toFixed(1)} KB`,
);
