// Chart stage: Vega-Lite spec shapes per mark, accessible SVG output, real-font text metrics
// and the data tables behind the charts.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import opentype from "opentype.js";
import { describeChart } from "../src/chart/describe.ts";
import { defaultFontsDir, renderCharts } from "../src/chart/index.ts";
import { chartSpec, histogramSpec } from "../src/chart/spec.ts";
import { fitText, renderSvg, useTextMeasurer } from "../src/chart/svg.ts";
import { FONT_FILES, loadTextMeasurer } from "../src/chart/text-metrics.ts";
import type { ChartSection, HistogramSection } from "../src/config/spec.ts";
import { ReportError } from "../src/errors.ts";
import type { QueryResult } from "../src/summarize/summary.ts";
import { months, regions, salesSpec, salesSummary } from "./input/render/sales.ts";

const LOC = { locale: "en-US", currency: "USD" };

type Json = Record<string, unknown>;
const obj = (value: unknown) => value as Json;

function section(fields: Partial<ChartSection>): ChartSection {
  return {
    kind: "chart",
    title: "T",
    query: "q",
    mark: "bar",
    x: "region",
    y: "revenue",
    path: ["sections", 0],
    ...fields,
  };
}

const byRegion: QueryResult = salesSummary().queries.by_region;

describe("chartSpec", () => {
  it("bar over a nominal x: vertical, sorted by value descending, currency axis", () => {
    const spec = obj(
      chartSpec(section({ format: "currency" }), byRegion, { ...LOC, measure: () => 50 }),
    );
    assert.deepEqual(spec.mark, { type: "bar" });
    const encoding = obj(spec.encoding);
    assert.equal(obj(encoding.x).field, "region");
    assert.equal(obj(encoding.x).type, "nominal");
    assert.equal(obj(encoding.x).sort, "-y");
    assert.equal(obj(encoding.y).field, "revenue");
    assert.equal(obj(encoding.y).type, "quantitative");
    const axis = obj(obj(encoding.y).axis);
    assert.equal(axis.formatType, "reportFormat");
    assert.equal(obj(axis.format).format, "currency");
    assert.equal(obj(axis.format).currency, "USD");
    assert.equal(obj(obj(spec.config).axis).labelSeparation, 4);
    assert.deepEqual(obj(spec.data).values, regions);
  });

  it("bar with many categories lies down: category on y, sorted by x descending, height by step", () => {
    const rows = Array.from({ length: 15 }, (_, i) => ({ region: `r${i}`, revenue: i }));
    const spec = obj(chartSpec(section({}), { ...byRegion, rows }, LOC));
    const encoding = obj(spec.encoding);
    assert.equal(obj(encoding.y).field, "region");
    assert.equal(obj(encoding.y).sort, "-x");
    assert.equal(obj(encoding.x).field, "revenue");
    assert.deepEqual(spec.height, { step: 22 });
  });

  it("bar with labels wider than their band lies down, measured by the given function", () => {
    const wide = obj(chartSpec(section({}), byRegion, { ...LOC, measure: () => 500 }));
    assert.equal(obj(obj(wide.encoding).y).field, "region");
    const narrow = obj(chartSpec(section({}), byRegion, { ...LOC, measure: () => 20 }));
    assert.equal(obj(obj(narrow.encoding).x).field, "region");
  });

  it("keeps the query's order when the query sorts by x", () => {
    const spec = obj(
      chartSpec(section({}), byRegion, { ...LOC, keepOrder: true, measure: () => 50 }),
    );
    assert.equal(obj(obj(spec.encoding).x).sort, null);
  });

  it("line over dates: temporal UTC axis, ISO strings parsed as dates, month ticks", () => {
    const spec = obj(
      chartSpec(section({ mark: "line", x: "month" }), salesSummary().queries.by_month, {
        ...LOC,
        xUnit: "month",
      }),
    );
    assert.equal(obj(spec.mark).type, "line");
    assert.equal(obj(spec.mark).point, true);
    const x = obj(obj(spec.encoding).x);
    assert.equal(x.type, "temporal");
    assert.deepEqual(x.scale, { type: "utc" });
    assert.deepEqual(obj(obj(spec.data).format).parse, { month: "date" });
    assert.deepEqual(obj(x.axis).tickCount, { interval: "month", step: 1 });
    assert.equal(obj(obj(x.axis).format).unit, "month");
  });

  it("area and point marks; point over numbers is a scatter with a quantitative x", () => {
    const area = obj(
      chartSpec(section({ mark: "area", x: "month" }), salesSummary().queries.by_month, LOC),
    );
    assert.equal(obj(area.mark).type, "area");
    const result: QueryResult = {
      name: "q",
      columns: [
        { name: "price", type: "float" },
        { name: "qty", type: "integer" },
      ],
      rows: [
        { price: 1, qty: 2 },
        { price: 3, qty: 4 },
      ],
    };
    const point = obj(chartSpec(section({ mark: "point", x: "price", y: "qty" }), result, LOC));
    assert.equal(obj(point.mark).type, "point");
    assert.equal(obj(obj(point.encoding).x).type, "quantitative");
  });

  it("a color field becomes a nominal color channel with a legend", () => {
    const result: QueryResult = {
      name: "q",
      columns: [
        { name: "month", type: "date" },
        { name: "channel", type: "string" },
        { name: "revenue", type: "float" },
      ],
      rows: [
        { month: "2024-01-01", channel: "web", revenue: 1 },
        { month: "2024-01-01", channel: "store", revenue: 2 },
      ],
    };
    const spec = obj(
      chartSpec(section({ mark: "line", x: "month", color: "channel" }), result, LOC),
    );
    const color = obj(obj(spec.encoding).color);
    assert.equal(color.field, "channel");
    assert.equal(color.type, "nominal");
  });

  it("histogram: pre-binned x/x2 from the profile's bins", () => {
    const profile = salesSummary().columns[1];
    const histogram: HistogramSection = {
      kind: "histogram",
      title: "Revenue",
      column: "revenue",
      path: ["sections", 0],
    };
    const spec = obj(chartSpec(histogram, profile, LOC));
    const encoding = obj(spec.encoding);
    assert.deepEqual(obj(encoding.x).bin, { binned: true });
    assert.equal(obj(encoding.x).field, "start");
    assert.deepEqual(encoding.x2, { field: "end" });
    assert.equal(obj(encoding.y).field, "count");
    assert.deepEqual(obj(spec.data).values, [
      { start: 0, end: 500, count: 4000 },
      { start: 500, end: 1000, count: 3500 },
      { start: 1000, end: 1500, count: 1500 },
      { start: 1500, end: 2000, count: 600 },
      { start: 2000, end: 2500, count: 100 },
    ]);
  });
});

/** `count` consecutive months from January 2023 as a line chart's query result. */
function monthlyRevenue(count: number): QueryResult {
  return {
    name: "by_month",
    columns: [
      { name: "month", type: "date" },
      { name: "revenue", type: "float" },
    ],
    rows: Array.from({ length: count }, (_, i) => ({
      month: new Date(Date.UTC(2023, i, 1)).toISOString().slice(0, 10),
      revenue: 1000 + ((i * 37) % 11) * 100,
    })),
  };
}

/** The x axis labels ("Jan 2023") of a rendered chart: text, anchor, x offset, hidden or not. */
function monthLabels(svg: string) {
  return [
    ...svg.matchAll(
      /<text text-anchor="(start|middle|end)" transform="translate\(([\d.]+),\d+\)"([^>]*)>([A-Z][a-z]{2} \d{4})<\/text>/g,
    ),
  ].map(([, anchor, x, rest, text]) => ({
    anchor,
    x: Number(x),
    hidden: rest.includes('opacity="0"'),
    text,
  }));
}

describe("chart layout by width", () => {
  it("bars whose labels fit a desktop band lie down at phone width", () => {
    const measure = () => 80; // five 80 px labels: 176 px bands at 880, 68 px at 340
    const wide = obj(chartSpec(section({}), byRegion, { ...LOC, measure, width: 880 }));
    assert.equal(obj(obj(wide.encoding).x).field, "region");
    const narrow = obj(chartSpec(section({}), byRegion, { ...LOC, measure, width: 340 }));
    assert.equal(obj(obj(narrow.encoding).y).field, "region");
    assert.equal(narrow.width, 340);
  });

  it("a phone legend wraps into columns that fit the width; a desktop one stays a row", () => {
    const channels = ["Online store", "Marketplace", "Partner", "Retail", "Phone", "Catalogue"];
    const result: QueryResult = {
      name: "q",
      columns: [
        { name: "region", type: "string" },
        { name: "channel", type: "string" },
        { name: "revenue", type: "float" },
      ],
      rows: channels.map((channel, i) => ({ region: "Europe", channel, revenue: i + 1 })),
    };
    const measure = (text: string, size: number) => 0.6 * size * text.length;
    const legendOf = (width: number) => {
      const spec = obj(
        chartSpec(section({ color: "channel" }), result, { ...LOC, measure, width }),
      );
      return obj(obj(obj(spec.encoding).color).legend);
    };
    const columns = legendOf(340).columns;
    assert.equal(typeof columns, "number");
    const longest = Math.max(...channels.map((c) => measure(c, 11)));
    // Each entry is a symbol (about 20 px) and its label; the columns must fit in 340 px.
    assert.ok((columns as number) >= 1 && (columns as number) * (longest + 20) <= 340);
    assert.ok((columns as number) < channels.length, "six entries do not fit one phone row");
    assert.equal(legendOf(880).columns, undefined);
  });

  it("time axes step by whole months so every label shows, fewer on a phone", async () => {
    const measurer = await loadTextMeasurer(defaultFontsDir());
    useTextMeasurer(measurer);
    const measure = (text: string, size: number) => measurer.width(text, size);
    const data = monthlyRevenue(36);
    const line = section({ mark: "line", x: "month", y: "revenue" });
    const counts: number[] = [];
    for (const width of [880, 340]) {
      const svg = await renderSvg(
        chartSpec(line, data, { ...LOC, measure, xUnit: "month", width }),
      );
      const labels = monthLabels(svg);
      assert.ok(labels.length >= 3, `${width}px: ${labels.map((l) => l.text).join(", ")}`);
      assert.deepEqual(
        labels.filter((l) => l.hidden).map((l) => l.text),
        [],
        `${width}px: no label drawn and then hidden by vega's overlap check`,
      );
      // Label boxes, as the browser places them, do not touch.
      const boxes = labels.map((l) => {
        const w = measurer.width(l.text, 11);
        const left = l.anchor === "start" ? l.x : l.anchor === "end" ? l.x - w : l.x - w / 2;
        return [left, left + w];
      });
      for (let i = 1; i < boxes.length; i++) {
        assert.ok(boxes[i][0] - boxes[i - 1][1] >= 4, `${width}px: ${labels[i].text} touches`);
      }
      // Evenly spaced by a calendar step, starting in January.
      const monthIndex = labels.map((l) => {
        const d = new Date(`1 ${l.text} UTC`);
        return (d.getUTCFullYear() - 2023) * 12 + d.getUTCMonth();
      });
      const step = monthIndex[1] - monthIndex[0];
      assert.ok([1, 2, 3, 6, 12].includes(step), `step ${step}`);
      assert.deepEqual(
        monthIndex,
        monthIndex.map((_, i) => monthIndex[0] + i * step),
      );
      counts.push(labels.length);
    }
    assert.ok(counts[1] < counts[0], `phone labels ${counts[1]} < desktop ${counts[0]}`);
  });
});

describe("text metrics", () => {
  const text = "Electronics & Home Appliances (EU)";

  it("measures with the font's advance widths, not vega's 0.8 × size × chars estimate", async () => {
    const bytes = await readFile(join(defaultFontsDir(), FONT_FILES[400]));
    const font = opentype.parse(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    let units = 0;
    for (const char of text) units += font.charToGlyph(char).advanceWidth ?? 0;
    const fromFont = (units * 11) / font.unitsPerEm;
    const estimate = 0.8 * 11 * text.length;

    const measurer = await loadTextMeasurer(defaultFontsDir());
    const measured = measurer.width(text, 11, 400);
    // Kerning moves it by a fraction of a pixel; the estimate is off by about 110 px.
    assert.ok(Math.abs(measured - fromFont) < 1, `${measured} vs the font's ${fromFont}`);
    assert.ok(estimate - measured > 100, `${measured} vs estimate ${estimate}`);
    assert.ok(measurer.width(text, 11, 700) > measured, "bold is wider");
    assert.ok(Math.abs(measurer.width(text, 22, 400) - 2 * measured) < 1e-9, "scales with size");
  });

  it("applies GPOS pair kerning as Chromium does", async () => {
    const measurer = await loadTextMeasurer(defaultFontsDir());
    const a = measurer.width("A", 11);
    const v = measurer.width("V", 11);
    assert.ok(measurer.width("AV", 11) < a + v - 0.3, "AV is kerned tighter");
    // Chromium 1xx (Debian), Inter 400 at 11px, getBoundingClientRect().width of a <span>.
    assert.ok(Math.abs(measurer.width("AVATAR Tyre Towing", 11) - 107.88) < 0.1);
    assert.ok(Math.abs(measurer.width(text, 11) - 188.06) < 0.1);
  });

  it("falls back to the estimate for characters the font lacks", async () => {
    const measurer = await loadTextMeasurer(defaultFontsDir());
    assert.equal(measurer.width("中文", 10), 2 * 0.8 * 10);
  });

  it("cuts long labels with an ellipsis to fit the limit", async () => {
    const measurer = await loadTextMeasurer(defaultFontsDir());
    useTextMeasurer(measurer);
    const long = `${text} and Garden Furniture`;
    const cut = fitText(long, 180, 11);
    assert.ok(cut.endsWith("…"), cut);
    assert.ok(measurer.width(cut, 11) <= 180);
    assert.ok(measurer.width(`${cut.slice(0, -1)}${long[cut.length - 1]}…`, 11) > 180 - 3);
    assert.equal(fitText("Europe", 180, 11), "Europe");
  });
});

describe("renderCharts", () => {
  it("renders each chart section and profile sparkline as accessible SVG with unique ids", async () => {
    const set = await renderCharts(salesSpec(), salesSummary());
    assert.deepEqual([...set.charts.keys()], [1, 2]);
    assert.deepEqual([...set.histograms.keys()], ["revenue", "order_date"]);
    const variants = [
      ...[...set.charts.values()].flatMap((c) => [
        { id: c.id, svg: c.svg, width: 880 },
        { id: `${c.id}-narrow`, svg: c.narrow ?? "", width: 340 },
      ]),
      ...[...set.histograms.values()].map((c) => ({ id: c.id, svg: c.svg, width: 160 })),
    ];
    const ids: string[] = [];
    for (const { id, svg, width } of variants) {
      assert.match(
        svg,
        new RegExp(`^<svg id="${id}" role="img" aria-labelledby="${id}-title ${id}-desc"`),
      );
      assert.ok(svg.includes(`<title id="${id}-title">`));
      assert.ok(svg.includes(`<desc id="${id}-desc">`));
      assert.match(svg, new RegExp(`^<svg [^>]*width="${width}" [^>]*viewBox="0 0 ${width} `));
      assert.doesNotMatch(svg, /https?:/);
      for (const [, inner] of svg.matchAll(/\sid="([^"]+)"/g)) ids.push(inner);
    }
    for (const sparkline of set.histograms.values()) {
      assert.equal(sparkline.narrow, undefined, "sparklines are small enough for a phone");
    }
    assert.equal(new Set(ids).size, ids.length, "ids are unique across the page");
    const bar = set.charts.get(1)!;
    assert.ok(bar.svg.includes('<title id="chart-2-title">Revenue by region</title>'));
    assert.ok(bar.narrow?.includes('<title id="chart-2-narrow-title">Revenue by region</title>'));
    assert.equal(
      bar.description,
      "Bar chart of revenue by region, 5 bars; highest Europe ($1.2M), lowest Middle East & Africa ($204K).",
    );
    assert.ok(bar.svg.includes("Middle East &amp; Africa ($204K).</desc>"));
    assert.equal(
      set.charts.get(2)!.description,
      "Line chart of revenue by month, 6 points from Jan 2024 to Jun 2024; highest May 2024 ($620K), lowest Feb 2024 ($375K).",
    );
  });

  it("puts the input numbers, formatted, in the chart's data table", async () => {
    const set = await renderCharts(salesSpec(), salesSummary());
    const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
    const bar = set.charts.get(1)!.table;
    assert.deepEqual(bar.columns, ["Region", "Revenue"]);
    assert.deepEqual(
      bar.rows,
      regions.map((r) => [r.region, usd.format(r.revenue)]),
    );
    const line = set.charts.get(2)!.table;
    const monthName = new Intl.DateTimeFormat("en-US", {
      month: "short",
      year: "numeric",
      timeZone: "UTC",
    });
    assert.deepEqual(
      line.rows,
      months.map((m) => [monthName.format(new Date(m.month)), usd.format(m.revenue)]),
    );
    const sparkline = set.histograms.get("revenue")!.table;
    assert.deepEqual(sparkline.rows[0], ["0", "500", "4,000"]);
  });

  it("an unknown query names the definition's file, line and column", async () => {
    const spec = salesSpec();
    (spec.sections[1] as ChartSection).query = "by_regoin";
    await assert.rejects(renderCharts(spec, salesSummary()), (error: unknown) => {
      assert.ok(error instanceof ReportError);
      assert.match(
        error.message,
        /^\/reports\/sales\.yml:11:14: sections\[1\]\.query: query 'by_regoin' not found; did you mean 'by_region'\?/,
      );
      return true;
    });
  });

  it("an unknown x or a non-numeric y is an error at that field", async () => {
    const spec = salesSpec();
    (spec.sections[1] as ChartSection).x = "country";
    await assert.rejects(
      renderCharts(spec, salesSummary()),
      /sales\.yml:11:14: sections\[1\]\.x: .*'country' not found/,
    );
    const spec2 = salesSpec();
    (spec2.sections[1] as ChartSection).y = "region";
    await assert.rejects(
      renderCharts(spec2, salesSummary()),
      /sections\[1\]\.y: 'region' is a string column/,
    );
  });

  it("draws the axis labels as measured: the bar chart's left gutter fits the widest tick label", async () => {
    const measurer = await loadTextMeasurer(defaultFontsDir());
    const set = await renderCharts(salesSpec(), salesSummary());
    const svg = set.charts.get(1)!.svg;
    const labels = [...svg.matchAll(/text-anchor="end"[^>]*>(\$[^<]+)</g)].map((m) => m[1]);
    assert.ok(labels.includes("$1.2M"), labels.join(" "));
    const widest = Math.max(...labels.map((label) => measurer.width(label, 11)));
    const translate = /<g[^>]*transform="translate\((\d+(?:\.\d+)?),/.exec(svg);
    assert.ok(translate !== null);
    // gutter = padding 4 + axis title (11px + offsets) + label width + tick 5 + label padding 2
    const gutter = Number(translate[1]);
    assert.ok(
      gutter > widest + 20 && gutter < widest + 40,
      `gutter ${gutter}, widest label ${widest}`,
    );
  });
});

describe("log-scale histograms", () => {
  it("stand every bar on the baseline, spread over the plot, each titled with its bin", async () => {
    const edges = [1, 3.16, 10, 31.6, 100, 316, 1000];
    const counts = [5, 40, 120, 60, 9, 2];
    const svg = await renderSvg(
      histogramSpec(
        {
          name: "price",
          type: "float",
          count: 236,
          missing: 0,
          distinct: 236,
          histogram: counts.map((count, i) => ({ start: edges[i], end: edges[i + 1], count })),
          histogramScale: "log",
        },
        {
          locale: "en-US",
          currency: "USD",
          sparkline: true,
          tips: counts.map((c, i) => `${edges[i]}–${edges[i + 1]}: ${c}`),
        },
      ),
    );
    const bars = [
      ...svg.matchAll(/<path aria-label="([^"]*)"[^>]*d="M([\d.]+),([\d.]+)h([\d.]+)v([\d.]+)h/g),
    ];
    assert.equal(bars.length, counts.length);
    const bottoms = bars.map((b) => Number(b[3]) + Number(b[5]));
    for (const bottom of bottoms) assert.ok(Math.abs(bottom - 36) < 0.5, `bar bottom at ${bottom}`);
    // Equal ratios are equal widths on a log axis, and the bars fill the 160 px width.
    const widths = bars.map((b) => Number(b[4]));
    for (const w of widths) assert.ok(Math.abs(w - widths[0]) < 1.5, `widths ${widths}`);
    const left = Number(bars[0][2]);
    const right = Number(bars.at(-1)?.[2]) + widths.at(-1)!;
    assert.ok(left < 3 && right > 155, `bars span ${left} to ${right}`);
    assert.deepEqual(
      bars.map((b) => b[1]),
      counts.map((c, i) => `${edges[i]}–${edges[i + 1]}: ${c}`),
    );
  });
});

describe("whole-number keys", () => {
  it("a line over integer years labels its axis 2012 … 2016 (not 2K, not 2,012.5) and describes them so", async () => {
    const result: QueryResult = {
      name: "by_year",
      columns: [
        { name: "year", type: "integer" },
        { name: "rain", type: "float" },
      ],
      rows: [2012, 2013, 2014, 2015, 2016].map((year, i) => ({ year, rain: 100 + i * 10 })),
    };
    const line = section({ mark: "line", x: "year", y: "rain" });
    const svg = await renderSvg(chartSpec(line, result, LOC));
    const axisLabels = [...svg.matchAll(/>(\d[\d,.K]*)<\/text>/g)].map((m) => m[1]);
    for (const year of ["2012", "2013", "2014", "2015", "2016"])
      assert.ok(axisLabels.includes(year), `${year} among ${axisLabels.join(" ")}`);
    // No compact, grouped or fractional year anywhere on the axes.
    assert.deepEqual(
      axisLabels.filter((t) => /K$|,|\./.test(t)),
      [],
    );
    const described = describeChart(line, result, LOC);
    assert.match(described, /2012/);
    assert.doesNotMatch(described, /2,01\d/);
  });
});
