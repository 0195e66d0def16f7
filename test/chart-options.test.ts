// Chart options (axis titles, stack, grouped bars, facets, sort, log scale, colours): each is
// read from a definition, run against a real summarize of a small table, laid out by vega, and
// the drawn marks are read back through vega's own scales and compared with sums and means
// computed here, in plain JS, from the same rows.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { tableFromArrays } from "apache-arrow";
import type * as vega from "vega";
import { sectionChart } from "../src/chart/index.ts";
import { chartView, renderSvg } from "../src/chart/svg.ts";
import { NARROW_WIDTH, WIDE_WIDTH } from "../src/chart/theme.ts";
import { parseReportSpec } from "../src/config/load.ts";
import type { ReportSpec } from "../src/config/spec.ts";
import { ReportError } from "../src/errors.ts";
import { summarize } from "../src/summarize/index.ts";
import type { Summary } from "../src/summarize/summary.ts";

const REGIONS = ["Asia", "Europe", "Americas"];
const YEARS = [2020, 2021, 2022, 2023, 2024];

/** Two readings per region and year: temperatures (some below 0) and revenue (all positive). */
const ROWS = REGIONS.flatMap((region, r) =>
  YEARS.flatMap((year, y) =>
    [0, 1].map((k) => ({
      region,
      year,
      temp: r * 7 - 3 + y * 1.5 + k * 2,
      revenue: 100 * (r + 1) + 37 * y + 11 * k,
      // Spans three orders of magnitude between regions: a log scale's case.
      visits: 10 ** (r + 1) * (1 + y / 10 + k / 100),
    })),
  ),
);

const TABLE = tableFromArrays({
  region: ROWS.map((r) => r.region),
  year: Int32Array.from(ROWS.map((r) => r.year)),
  temp: Float64Array.from(ROWS.map((r) => r.temp)),
  revenue: Float64Array.from(ROWS.map((r) => r.revenue)),
  visits: Float64Array.from(ROWS.map((r) => r.visits)),
});

const QUERIES = `
queries:
  temps: { group_by: [region, year], measures: { avg_temp: mean(temp) } }
  sales: { group_by: [region, year], measures: { revenue: sum(revenue), avg_revenue: mean(revenue) } }
  by_region: { group_by: [region], measures: { revenue: sum(revenue), orders: count(), visits: sum(visits) } }
`;

function definition(sections: string): ReportSpec {
  return parseReportSpec(
    `title: Charts\nsource: data.csv\n${QUERIES}sections:\n${sections}`,
    "charts.yml",
    {},
  );
}

function built(sections: string): { spec: ReportSpec; summary: Summary } {
  const spec = definition(sections);
  return { spec, summary: summarize(TABLE, spec, { now: new Date("2025-01-01") }) };
}

/** Sum (or mean) of a column per key, straight from ROWS. */
function aggregate(
  keys: (row: (typeof ROWS)[number]) => string,
  value: (row: (typeof ROWS)[number]) => number,
  op: "sum" | "mean",
): Map<string, number> {
  const sums = new Map<string, [number, number]>();
  for (const row of ROWS) {
    const [s, n] = sums.get(keys(row)) ?? [0, 0];
    sums.set(keys(row), [s + value(row), n + 1]);
  }
  return new Map([...sums].map(([k, [s, n]]) => [k, op === "sum" ? s : s / n]));
}

interface Item {
  x: number;
  y: number;
  width: number;
  height: number;
  fill?: string;
  text?: string;
  opacity?: number;
  bounds?: { x1: number; x2: number };
  datum: Record<string, unknown>;
  items?: Mark[];
}
interface Mark {
  marktype: string;
  role: string;
  name?: string;
  items: Item[];
}

/**
 * Every item of marks of `type` with role `role` ("mark": the data's marks, not axes or
 * legends), at positions relative to the plot: the offsets of the groups around them (bars
 * with rounded ends sit in groups of their own, panels of a facet in cells) are added in.
 */
function items(view: vega.View, type: string, role = "mark"): Item[] {
  const out: Item[] = [];
  const walk = (mark: Mark, dx: number, dy: number) => {
    if (mark.marktype === type && mark.role === role)
      out.push(
        ...mark.items.map((item) => ({ ...item, x: (item.x ?? 0) + dx, y: (item.y ?? 0) + dy })),
      );
    for (const item of mark.items ?? [])
      for (const child of item.items ?? []) walk(child, dx + (item.x ?? 0), dy + (item.y ?? 0));
  };
  const root = (view.scenegraph() as unknown as { root: Mark }).root;
  // The root group's own offset is the padding, outside the scales' coordinates.
  for (const item of root.items) for (const child of item.items ?? []) walk(child, 0, 0);
  return out;
}

/** Section `index`'s chart at the wide width, laid out by vega. */
async function laidOut(report: { spec: ReportSpec; summary: Summary }, index = 0) {
  const chart = sectionChart(report.spec, report.summary, index);
  assert.ok(chart);
  const spec = chart.specFor(WIDE_WIDTH);
  const view = chartView(spec);
  await view.runAsync();
  return { view, spec: spec as unknown as Record<string, unknown>, chart };
}

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} ≠ ${b}`);

describe("chart options: stack", () => {
  it("bars of means with color are side by side by default: distinct offsets, tops equal the means", async () => {
    const { view, chart } = await laidOut(
      built(
        "  - chart: { title: T, query: temps, mark: bar, x: region, y: avg_temp, color: year }\n",
      ),
    );
    const bars = items(view, "rect");
    assert.equal(bars.length, REGIONS.length * YEARS.length);
    const expected = aggregate(
      (r) => `${r.region}|${r.year}`,
      (r) => r.temp,
      "mean",
    );
    const y = view.scale("y") as (v: number) => number & { invert: (px: number) => number };
    const invert = (view.scale("y") as unknown as { invert: (px: number) => number }).invert;
    assert.ok(y);
    for (const region of REGIONS) {
      const own = bars.filter((b) => b.datum.region === region);
      assert.equal(new Set(own.map((b) => Math.round(b.x))).size, YEARS.length, region);
      for (const bar of own) {
        const key = `${region}|${bar.datum.year}`;
        const mean = expected.get(key) ?? Number.NaN;
        // Unstacked: each bar spans from 0 to its own value (a negative mean hangs below 0).
        const ends = [invert(bar.y), invert(bar.y + bar.height)].sort((a, b) => a - b);
        close(mean < 0 ? ends[0] : ends[1], mean, `${key} value end`);
        close(mean < 0 ? ends[1] : ends[0], 0, `${key} baseline`);
      }
    }
    assert.match(chart.description, /side by side/);
  });

  it("bars of sums with color stack by default: each stack's top is the category's total", async () => {
    const { view } = await laidOut(
      built(
        "  - chart: { title: T, query: sales, mark: bar, x: region, y: revenue, color: year }\n",
      ),
    );
    const invert = (view.scale("y") as unknown as { invert: (px: number) => number }).invert;
    const totals = aggregate(
      (r) => r.region,
      (r) => r.revenue,
      "sum",
    );
    const bars = items(view, "rect");
    for (const region of REGIONS) {
      const own = bars.filter((b) => b.datum.region === region);
      assert.equal(new Set(own.map((b) => Math.round(b.x))).size, 1, `${region}: one column`);
      const top = Math.min(...own.map((b) => b.y));
      close(invert(top), totals.get(region) ?? Number.NaN, `${region} total`);
    }
  });

  it("stack: normalize makes each category's bars add up to 1", async () => {
    const { view, spec } = await laidOut(
      built(
        "  - chart: { title: T, query: sales, mark: bar, x: region, y: revenue, color: year, stack: normalize }\n",
      ),
    );
    const invert = (view.scale("y") as unknown as { invert: (px: number) => number }).invert;
    const bars = items(view, "rect");
    const perYear = aggregate(
      (r) => `${r.region}|${r.year}`,
      (r) => r.revenue,
      "sum",
    );
    const totals = aggregate(
      (r) => r.region,
      (r) => r.revenue,
      "sum",
    );
    for (const region of REGIONS) {
      const own = bars.filter((b) => b.datum.region === region);
      const shares = own.map((b) => invert(b.y) - invert(b.y + b.height));
      close(
        shares.reduce((a, b) => a + b, 0),
        1,
        `${region} shares`,
      );
      for (const bar of own) {
        const share = invert(bar.y) - invert(bar.y + bar.height);
        const want = (perYear.get(`${region}|${bar.datum.year}`) ?? 0) / (totals.get(region) ?? 1);
        close(share, want, `${region} ${bar.datum.year} share`);
      }
    }
    const encoding = spec.encoding as Record<string, Record<string, unknown>>;
    assert.equal(
      (encoding.y.axis as { format: { format: string } }).format.format,
      "percent",
      "a normalized axis reads in percent",
    );
  });

  it("offset: color groups bars of sums that would stack by default", async () => {
    const { view } = await laidOut(
      built(
        "  - chart: { title: T, query: sales, mark: bar, x: region, y: revenue, color: year, offset: color }\n",
      ),
    );
    const invert = (view.scale("y") as unknown as { invert: (px: number) => number }).invert;
    const perYear = aggregate(
      (r) => `${r.region}|${r.year}`,
      (r) => r.revenue,
      "sum",
    );
    const bars = items(view, "rect");
    assert.equal(new Set(bars.map((b) => Math.round(b.x))).size, bars.length, "every bar apart");
    for (const bar of bars) {
      const key = `${bar.datum.region}|${bar.datum.year}`;
      close(invert(bar.y), perYear.get(key) ?? Number.NaN, key);
      close(invert(bar.y + bar.height), 0, `${key} baseline`);
    }
  });
});

describe("chart options: layout and scales", () => {
  it("axis titles: x: { field, title } and y: { field, title } are drawn as written", async () => {
    const report = built(
      "  - chart: { title: T, query: by_region, mark: bar, x: { field: region, title: Sales region }, y: { field: revenue, title: Revenue in USD } }\n",
    );
    const chart = sectionChart(report.spec, report.summary, 0);
    const svg = await renderSvg(chart!.specFor(WIDE_WIDTH));
    assert.match(svg, />Sales region</);
    assert.match(svg, />Revenue in USD</);
    assert.deepEqual(chart!.table.columns, ["Sales region", "Revenue in USD"]);
  });

  it("facet: one panel per value, each titled by it; columns wraps them", async () => {
    const { view, chart } = await laidOut(
      built(
        "  - chart: { title: T, query: temps, mark: line, x: year, y: avg_temp, facet: { column: region, columns: 2 } }\n",
      ),
    );
    // One line per panel, each through that region's five yearly means.
    const lines = items(view, "line");
    assert.equal(lines.length, REGIONS.length * YEARS.length);
    const regionsDrawn = new Set(lines.map((p) => p.datum.region));
    assert.deepEqual([...regionsDrawn].sort(), [...REGIONS].sort());
    const svg = await renderSvg(chart.specFor(WIDE_WIDTH));
    for (const region of REGIONS) assert.match(svg, new RegExp(`>${region}<`));
    // Panel headers take the page's text colour, as axes do, so they read on the dark page.
    for (const header of [...REGIONS, "Region"]) {
      const text = new RegExp(`<text[^>]*>${header}</text>`).exec(svg)?.[0] ?? "";
      assert.match(text, /fill="currentColor"/, `header ${header}: ${text}`);
    }
    // Two columns: three panels take two rows, so two distinct panel x positions.
    const cells = items(view, "group", "scope").filter((g) => g.datum?.region !== undefined);
    const xs = new Set(cells.map((c) => Math.round(c.x)));
    const ys = new Set(cells.map((c) => Math.round(c.y)));
    assert.equal(cells.length, REGIONS.length);
    assert.equal(xs.size, 2);
    assert.equal(ys.size, 2);
    assert.match(chart.description, /in 3 panels by region/);
  });

  it("facet with a short last row: each panel has its x axis under it, none under an empty cell", async () => {
    const facet = (columns: number) =>
      built(
        `  - chart: { title: T, query: temps, mark: line, x: year, y: avg_temp, facet: { column: region, columns: ${columns} } }\n`,
      );
    // Three panels in two columns: the second row has an empty cell.
    const { view } = await laidOut(facet(2));
    const cells = items(view, "group", "scope").filter((g) => g.datum?.region !== undefined);
    const xAxes = items(view, "group", "axis").filter(
      (axis) => (axis as unknown as { orient?: string }).orient === "bottom",
    );
    const under = (axis: Item, cell: Item) =>
      Math.abs(axis.y - (cell.y + cell.height)) <= 2 &&
      axis.x >= cell.x - 1 &&
      axis.x <= cell.x + cell.width;
    assert.equal(cells.length, REGIONS.length);
    for (const cell of cells) {
      assert.ok(
        xAxes.some((axis) => under(axis, cell)),
        `no x axis under ${cell.datum.region}`,
      );
    }
    for (const axis of xAxes) {
      assert.ok(
        cells.some((cell) => under(axis, cell)),
        `an x axis at (${axis.x}, ${axis.y}) is under no panel`,
      );
    }
    // A full grid keeps one shared axis per column, at the bottom.
    const full = await laidOut(facet(3));
    assert.equal(full.spec.resolve, undefined);
  });

  it("text keys along a line: in a narrow chart, labels that would overlap are left out", async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `k${String(i).padStart(2, "0")}`);
    const table = tableFromArrays({
      key: keys,
      n: Float64Array.from(keys.map((_, i) => (i * 7) % 11)),
    });
    const spec = parseReportSpec(
      "title: C\nsource: d.csv\nqueries:\n  q: { group_by: [key], measures: { n: sum(n) } }\nsections:\n  - chart: { title: T, query: q, mark: line, x: key, y: n }\n",
      "c.yml",
      {},
    );
    const chart = sectionChart(spec, summarize(table, spec), 0);
    assert.ok(chart);
    const view = chartView(chart.specFor(NARROW_WIDTH));
    await view.runAsync();
    const labels = items(view, "text", "axis-label").filter(
      (label) => typeof label.datum.value === "string" && keys.includes(label.datum.value),
    );
    assert.equal(labels.length, keys.length);
    const shown = labels.filter((label) => label.opacity !== 0);
    assert.ok(shown.length > 1 && shown.length < keys.length, `${shown.length} labels shown`);
    const spans = shown.map((label) => label.bounds!).sort((a, b) => a.x1 - b.x1);
    for (let i = 1; i < spans.length; i++) {
      assert.ok(spans[i].x1 >= spans[i - 1].x2, `labels ${i - 1} and ${i} overlap`);
    }
  });

  it("y: { scale: log } draws a log axis: ticks at powers of ten, a decade apart evenly", async () => {
    const { view } = await laidOut(
      built(
        "  - chart: { title: T, query: by_region, mark: point, x: region, y: { field: visits, scale: log } }\n",
      ),
    );
    const scale = view.scale("y") as unknown as { type: string; invert: (px: number) => number };
    assert.equal(scale.type, "log");
    const totals = aggregate(
      (r) => r.region,
      (r) => r.visits,
      "sum",
    );
    for (const point of items(view, "symbol"))
      close(scale.invert(point.y), totals.get(String(point.datum.region)) ?? Number.NaN, "point");
    // The y axis's labelled ticks: each at a power of ten, equally spaced in pixels.
    const labels = items(view, "text", "axis-label").filter(
      (label) => typeof label.datum.value === "number",
    );
    const decades = labels
      .map((label) => ({ value: label.datum.value as number, y: label.y, text: label.text }))
      .filter((tick) => Number.isInteger(Math.log10(tick.value)));
    assert.ok(decades.length >= 3, `decade ticks: ${JSON.stringify(labels.map((l) => l.text))}`);
    const gaps = decades.slice(1).map((tick, i) => Math.abs(tick.y - decades[i].y));
    for (const gap of gaps) close(gap, gaps[0], "pixels per decade");
    assert.deepEqual(
      decades.map((tick) => tick.text),
      decades.map((tick) => (tick.value >= 1000 ? `${tick.value / 1000}K` : String(tick.value))),
    );
  });

  it("a log scale refuses zero and negative values, naming the first and where to change it", () => {
    const report = built(
      "  - chart: { title: T, query: temps, mark: point, x: year, y: { field: avg_temp, scale: log }, color: region }\n",
    );
    const negatives = [
      ...aggregate(
        (r) => `${r.region}|${r.year}`,
        (r) => r.temp,
        "mean",
      ).values(),
    ].filter((v) => v <= 0).length;
    assert.ok(negatives > 0);
    assert.throws(
      () => sectionChart(report.spec, report.summary, 0),
      (error: unknown) =>
        error instanceof ReportError &&
        error.message.startsWith("charts.yml:") &&
        error.message.includes("sections[0].y.scale: a log scale needs values above 0") &&
        error.message.includes(`${negatives} of 'avg_temp' are 0 or below`),
    );
  });

  it("colors: the named series are filled with their colour, the others with the palette", async () => {
    const { view } = await laidOut(
      built(
        '  - chart: { title: T, query: sales, mark: bar, x: year, y: revenue, color: region, colors: { Europe: "#123456", Asia: rebeccapurple } }\n',
      ),
    );
    const bars = items(view, "rect");
    const fills = (region: string) =>
      new Set(bars.filter((b) => b.datum.region === region).map((b) => b.fill));
    assert.deepEqual([...fills("Europe")], ["#123456"]);
    assert.deepEqual([...fills("Asia")], ["rebeccapurple"]);
    const other = [...fills("Americas")];
    assert.equal(other.length, 1);
    assert.ok(!["#123456", "rebeccapurple"].includes(other[0] ?? ""));
  });

  it("sort: -avg_revenue orders the bars by that measure, largest first", async () => {
    const { view } = await laidOut(
      built(
        "  - chart: { title: T, query: by_region, mark: bar, x: region, y: orders, sort: -revenue }\n",
      ),
    );
    const totals = aggregate(
      (r) => r.region,
      (r) => r.revenue,
      "sum",
    );
    const want = [...totals].sort((a, b) => b[1] - a[1]).map(([k]) => k);
    const drawn = items(view, "rect")
      .sort((a, b) => a.x - b.x)
      .map((b) => b.datum.region);
    assert.deepEqual(drawn, want);
    const ascending = await laidOut(
      built(
        "  - chart: { title: T, query: by_region, mark: bar, x: region, y: orders, sort: x }\n",
      ),
    );
    const names = items(ascending.view, "rect")
      .sort((a, b) => a.x - b.x)
      .map((b) => String(b.datum.region));
    assert.deepEqual(names, [...REGIONS].sort());
  });
});

describe("chart options: definition errors", () => {
  const fails = (sections: string, pattern: RegExp) =>
    assert.throws(
      () => definition(sections),
      (error: unknown) => error instanceof ReportError && pattern.test(error.message),
    );

  it("stack on a line, offset with stack: zero, and a log scale under a stack are refused", () => {
    fails(
      "  - chart: { title: T, query: sales, mark: line, x: year, y: revenue, color: region, stack: zero }\n",
      /^charts\.yml:\d+:\d+: sections\[0\]\.chart\.stack: stack applies to bar and area charts, not line/,
    );
    fails(
      "  - chart: { title: T, query: sales, mark: bar, x: year, y: revenue, color: region, stack: zero, offset: color }\n",
      /sections\[0\]\.chart\.offset: offset: color sets bars side by side, which contradicts stack: zero/,
    );
    fails(
      "  - chart: { title: T, query: sales, mark: bar, x: year, y: { field: revenue, scale: log }, color: region, stack: zero }\n",
      /cannot be drawn on a log scale/,
    );
    fails(
      "  - chart: { title: T, query: sales, mark: bar, x: year, y: revenue, stack: zero }\n",
      /stack needs `color`/,
    );
  });

  it("colours: an unquoted hex (a YAML comment) and a non-colour are located", () => {
    fails(
      "  - chart:\n      title: T\n      query: sales\n      mark: bar\n      x: year\n      y: revenue\n      color: region\n      colors:\n        Europe: #123456\n",
      /^charts\.yml:17:17: sections\[0\]\.chart\.colors\.Europe: no colour given \(in YAML an unquoted # starts a comment\)/,
    );
    fails(
      '  - chart: { title: T, query: sales, mark: bar, x: year, y: revenue, color: region, colors: { Europe: "#12345z" } }\n',
      /colors\.Europe: '#12345z' is not a CSS colour/,
    );
  });

  it("facet columns with row, an unknown facet column and an unknown sort column", () => {
    fails(
      "  - chart: { title: T, query: sales, mark: bar, x: year, y: revenue, facet: { row: region, column: year, columns: 2 } }\n",
      /facet\.columns: columns wraps the panels of `column`/,
    );
    fails(
      "  - chart: { title: T, query: sales, mark: bar, x: year, y: revenue, facet: { column: regoin } }\n",
      /facet\.column: 'regoin' is not a column of query 'sales'; did you mean 'region'\?/,
    );
    fails(
      "  - chart: { title: T, query: sales, mark: bar, x: region, y: revenue, sort: -revenu }\n",
      /sections\[0\]\.chart\.sort: 'revenu' is not a column of query 'sales'; did you mean 'revenue'\?/,
    );
  });

  it("colors naming a series the data does not have suggests the nearest", () => {
    const report = built(
      "  - chart: { title: T, query: sales, mark: bar, x: year, y: revenue, color: region, colors: { Eurpoe: red } }\n",
    );
    assert.throws(
      () => sectionChart(report.spec, report.summary, 0),
      /sections\[0\]\.colors\.Eurpoe: value of 'region' in query 'sales' 'Eurpoe' not found; did you mean 'Europe'\?/,
    );
  });
});

describe("chart options: documentation", () => {
  it("every example in docs/report-definition.md's chart section is a valid definition", async () => {
    const doc = await readFile("docs/report-definition.md", "utf8");
    const part = doc.slice(doc.indexOf("### `chart`"), doc.indexOf("### `histogram`"));
    const blocks = [...part.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    const queries = blocks.find((b) => b.startsWith("queries:"));
    assert.ok(queries !== undefined);
    const examples = blocks.filter((b) => b.startsWith("- chart:") && b !== blocks[0]);
    assert.ok(examples.length >= 6, `${examples.length} examples`);
    for (const example of examples) {
      const indented = example.replace(/^/gm, "  ");
      const spec = parseReportSpec(
        `title: Docs\nsource: data.csv\n${queries}sections:\n${indented}`,
        "docs/report-definition.md",
        {},
      );
      assert.ok(spec.sections.every((s) => s.kind === "chart"));
    }
  });
});
