// `vega_lite:` sections: a Vega-Lite spec over a query or the table, drawn to the same static,
// accessible SVG as the built-in charts. The drawn bars are read back through vega's scales
// and compared with means computed here from the rows; invalid specs fail at their path in the
// definition with file:line:column found here by searching the YAML text; nothing loads or
// links outside the report; the email carries the chart as a PNG.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { tableFromArrays } from "apache-arrow";
import { decode } from "fast-png";
import * as vega from "vega";
import * as vl from "vega-lite";
import { prunedSchemaText, SCHEMA_FILE } from "../scripts/vega-lite-schema.ts";
import { defaultFontsDir, prepareCharts, renderCharts, sectionChart } from "../src/chart/index.ts";
import { chartView, renderSvg } from "../src/chart/svg.ts";
import { FONT_STACK, WIDE_WIDTH } from "../src/chart/theme.ts";
import { parseReportSpec } from "../src/config/load.ts";
import type { ReportSpec } from "../src/config/spec.ts";
import { emailImages } from "../src/email/images.ts";
import { ReportError } from "../src/errors.ts";
import { summaryDocument } from "../src/history/index.ts";
import { escapeMarkup } from "../src/markup.ts";
import { assembleModel } from "../src/render/model.ts";
import { renderReport } from "../src/render/report.ts";
import { summarize } from "../src/summarize/index.ts";
import type { Summary } from "../src/summarize/summary.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";

const ROWS = ["Asia", "Europe", "Americas"].flatMap((region, r) =>
  [0, 1, 2, 3].map((k) => ({ region, station: `${region[0]}${k % 2}`, temp: r * 5 + k * 1.5 - 2 })),
);
const TABLE = tableFromArrays({
  region: ROWS.map((r) => r.region),
  station: ROWS.map((r) => r.station),
  temp: Float64Array.from(ROWS.map((r) => r.temp)),
});

const HEAD = `title: Custom charts
source: data.csv
queries:
  temps: { group_by: [region], measures: { avg_temp: mean(temp), readings: count() } }
sections:
`;

function definition(sections: string, extra = ""): ReportSpec {
  return parseReportSpec(`${HEAD}${sections}${extra}`, "custom.yml", {});
}

async function built(
  sections: string,
  extra = "",
): Promise<{ spec: ReportSpec; summary: Summary }> {
  const spec = definition(sections, extra);
  await prepareCharts(spec);
  return { spec, summary: summarize(TABLE, spec, { now: new Date("2025-01-01") }) };
}

/** Mean temperature per region, straight from ROWS. */
function meanTemp(): Map<string, number> {
  const sums = new Map<string, number[]>();
  for (const row of ROWS) sums.set(row.region, [...(sums.get(row.region) ?? []), row.temp]);
  return new Map([...sums].map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length]));
}

interface Item {
  x?: number;
  y?: number;
  height?: number;
  fill?: string;
  datum?: Record<string, unknown>;
  items?: Mark[];
}
interface Mark {
  marktype: string;
  role: string;
  items: Item[];
}

/** The drawn bars: value ends through the y scale, keyed by their x category. */
async function barValues(specFor: (w: number) => unknown, x: string): Promise<Map<string, number>> {
  const view = chartView(specFor(WIDE_WIDTH) as Parameters<typeof chartView>[0]);
  await view.runAsync();
  const invert = (view.scale("y") as unknown as { invert: (px: number) => number }).invert;
  const out = new Map<string, number>();
  const walk = (mark: Mark, dy: number) => {
    for (const item of mark.items) {
      if (mark.marktype === "rect" && mark.role === "mark")
        out.set(String(item.datum?.[x]), invert((item.y ?? 0) + dy));
      for (const child of item.items ?? []) walk(child, dy + (item.y ?? 0));
    }
  };
  const root = (view.scenegraph() as unknown as { root: Mark }).root;
  for (const item of root.items) for (const child of item.items ?? []) walk(child, 0);
  view.finalize();
  return out;
}

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: ${a} ≠ ${b}`);

/** Line and column (1-based) of the first `text` in `source`. */
function position(source: string, text: string): string {
  const at = source.indexOf(text);
  assert.ok(at >= 0, text);
  const before = source.slice(0, at).split("\n");
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

const OVER_QUERY = `  - vega_lite:
      title: Mean temperature by region
      data: { query: temps }
      mark: bar
      config: { bar: { color: "#2a9d8f" }, font: Comic Sans MS }
      encoding:
        x: { field: region, type: nominal, sort: -y }
        y: { field: avg_temp, type: quantitative, title: Mean (°C) }
`;

const OVER_TABLE = `  - vega_lite:
      title: Mean temperature, from the raw readings
      description: One bar per region.
      data: { table: true }
      params: [{ name: pick, select: point }]
      mark: bar
      encoding:
        x: { field: region, type: nominal }
        y: { aggregate: mean, field: temp, type: quantitative }
        color: { condition: { param: pick, value: "#e76f51" }, value: "#264653" }
`;

describe("vega_lite sections: drawing", () => {
  it("over a query: bar tops equal the query's means; the theme's fonts, the spec's colour", async () => {
    const report = await built(OVER_QUERY);
    const chart = sectionChart(report.spec, report.summary, 0);
    assert.ok(chart);
    const tops = await barValues(chart.specFor, "region");
    const means = meanTemp();
    assert.equal(tops.size, means.size);
    for (const [region, mean] of means) close(tops.get(region) ?? Number.NaN, mean, region);
    const set = await renderCharts(report.spec, report.summary);
    const svg = set.charts.get(0)?.svg ?? "";
    assert.match(svg, /^<svg id="chart-1" role="img"/);
    assert.ok(svg.includes(`<title id="chart-1-title">Mean temperature by region</title>`));
    assert.ok(svg.includes(`font-family="${escapeMarkup(FONT_STACK)}"`));
    assert.ok(!svg.includes("Comic Sans"), "the spec's font is replaced by the report's");
    assert.ok(svg.includes('fill="#2a9d8f"'), "the spec's own config colours the bars");
    assert.ok(svg.includes(">Mean (°C)<"), "axis title");
    assert.equal(
      set.charts.get(0)?.description,
      "Bar chart of mean (°c) by region, from query temps (3 rows).",
    );
    assert.deepEqual(set.charts.get(0)?.table.columns, ["Region", "Avg temp", "Readings"]);
  });

  it("over the table: the spec's aggregate gives the means; rows kept in a valid summary.json", async () => {
    const report = await built(OVER_TABLE);
    const rows = report.summary.chartRows?.[0];
    assert.equal(rows?.rows.length, ROWS.length);
    // Only the columns the spec mentions travel (station does not).
    assert.deepEqual(
      rows?.columns.map((c) => c.name),
      ["region", "temp"],
    );
    assertValidSummary(
      summaryDocument(report.summary, {
        builtAt: new Date("2025-01-01"),
        title: "t",
        data: { label: "data.csv" },
      }),
    );
    const chart = sectionChart(report.spec, report.summary, 0);
    assert.ok(chart);
    const tops = await barValues(chart.specFor, "region");
    for (const [region, mean] of meanTemp()) close(tops.get(region) ?? Number.NaN, mean, region);
    const set = await renderCharts(report.spec, report.summary);
    const drawn = set.charts.get(0);
    assert.equal(drawn?.description, "One bar per region.");
    // The accessible table holds what was drawn (one row per bar), not the raw readings.
    assert.deepEqual(drawn?.table.columns, ["Region", "Mean temp"]);
    assert.equal(drawn?.table.rows.length, 3);
    // A selection draws in its empty state, which Vega-Lite counts as holding every value:
    // each bar takes the condition's colour, none the other.
    assert.equal(drawn?.svg.match(/fill="#e76f51"/g)?.length, 3);
    assert.ok(!drawn?.svg.includes('fill="#264653"'));
  });

  it("takes its place on the page: the chart, its title and its data table", async () => {
    const report = await built(`  - text: Before.\n${OVER_QUERY}`);
    const charts = await renderCharts(report.spec, report.summary);
    const model = assembleModel({
      spec: report.spec,
      summary: report.summary,
      source: { label: "data.csv" },
      charts,
      now: new Date("2025-01-01"),
    });
    const html = await renderReport(model, {
      defaultsDir: fileURLToPath(new URL("../templates", import.meta.url)),
      locale: "en-US",
      currency: "USD",
    });
    const at = html.indexOf('<svg id="chart-2"');
    assert.ok(at > html.indexOf("Before."), "after the text section, in order");
    assert.ok(html.includes("Mean temperature by region"));
    // The table behind the chart carries the query's means, formatted.
    for (const [region, mean] of meanTemp()) {
      assert.ok(html.includes(`>${region}<`), region);
      assert.ok(
        html.includes(`>${mean.toLocaleString("en-US", { maximumFractionDigits: 2 })}<`),
        `${region} ${mean}`,
      );
    }
  });

  it("is static and offline: no script, no links, no foreign content, no external reference", async () => {
    const report = await built(OVER_TABLE);
    const set = await renderCharts(report.spec, report.summary);
    for (const svg of [set.charts.get(0)?.svg ?? "", set.charts.get(0)?.narrow ?? ""]) {
      assert.ok(svg.length > 0);
      assert.doesNotMatch(svg, /<script|<a\b|foreignObject|javascript:|https?:\/\//i);
      assert.doesNotMatch(svg, /href="(?!#)/);
    }
  });

  it("the renderer fetches nothing, even for a spec that names a URL (vega's own loader would)", async () => {
    let hits = 0;
    const server = createServer((_, response) => {
      hits++;
      response.end("a\n1\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const spec = {
      data: { url: `http://127.0.0.1:${port}/d.csv`, format: { type: "csv" } },
      mark: "bar",
      encoding: { x: { field: "a", type: "quantitative" } },
    } as Parameters<typeof renderSvg>[0];
    try {
      await renderSvg(spec);
      assert.equal(hits, 0);
      // Control: the same spec through vega's default loader does reach the server.
      const view = new vega.View(vega.parse(vl.compile(spec).spec), {
        renderer: "none",
        logLevel: vega.None,
      });
      await view.runAsync();
      view.finalize();
      assert.equal(hits, 1);
    } finally {
      server.close();
    }
  });

  it("a spec with a width of its own keeps it; a faceted one is not given a width", async () => {
    const report = await built(`  - vega_lite:
      title: Per region
      data: { table: true }
      mark: point
      encoding:
        x: { field: temp, type: quantitative }
        facet: { field: region, type: nominal, columns: 2 }
`);
    const chart = sectionChart(report.spec, report.summary, 0);
    const spec = chart?.specFor(WIDE_WIDTH) as unknown as Record<string, unknown>;
    assert.equal(spec.width, undefined);
    const view = chartView(chart!.specFor(WIDE_WIDTH));
    await view.runAsync();
    const svg = await view.toSVG();
    for (const region of ["Asia", "Europe", "Americas"])
      assert.match(svg, new RegExp(`>${region}<`));
  });
});

describe("vega_lite sections: errors", () => {
  const fails = (run: () => unknown, message: string) =>
    assert.throws(run, (error: unknown) => {
      assert.ok(error instanceof ReportError, String(error));
      assert.equal(error.message, message);
      return true;
    });

  it("a value Vega-Lite's schema does not allow: its message, at the path and line in the YAML", async () => {
    const sections = OVER_QUERY.replace("type: nominal", "type: nominl");
    const report = await built(sections);
    const yaml = `${HEAD}${sections}`;
    fails(
      () => sectionChart(report.spec, report.summary, 0),
      `custom.yml:${position(yaml, "nominl")}: sections[0].vega_lite.encoding.x.type: 'nominl' is not one of quantitative, ordinal, temporal, nominal; did you mean 'nominal'?`,
    );
    const marked = OVER_QUERY.replace("mark: bar", "mark: barr");
    const second = await built(marked);
    assert.throws(
      () => sectionChart(second.spec, second.summary, 0),
      (error: unknown) =>
        error instanceof ReportError &&
        error.message.startsWith(
          `custom.yml:${position(`${HEAD}${marked}`, "barr")}: sections[0].vega_lite.mark: 'barr' is not one of`,
        ) &&
        error.message.endsWith("did you mean 'bar'?"),
    );
    const channel = OVER_QUERY.replace("        y:", "        yy:");
    const third = await built(channel);
    assert.throws(
      () => sectionChart(third.spec, third.summary, 0),
      /sections\[0\]\.vega_lite\.encoding\.yy: unknown field 'yy'; did you mean 'y'\?/,
    );
  });

  it("a field that is not a column of its data: located, with the nearest column", async () => {
    const sections = OVER_QUERY.replace("field: region", "field: regoin");
    const report = await built(sections);
    fails(
      () => sectionChart(report.spec, report.summary, 0),
      `custom.yml:${position(`${HEAD}${sections}`, "regoin")}: sections[0].vega_lite.encoding.x.field: in query 'temps': column 'regoin' not found; did you mean 'region'? Available columns: 'region', 'avg_temp', 'readings'.`,
    );
  });

  it("refused when read: unknown query, data from a URL or inline, url and href, bind, no title", () => {
    const cases: [string, string, RegExp][] = [
      [
        "data: { query: temps }",
        "data: { query: tmps }",
        /vega_lite\.data\.query: no query named 'tmps'; did you mean 'temps'\?/,
      ],
      [
        "data: { query: temps }",
        "data: { url: https://example.com/d.csv }",
        /vega_lite\.data: data must name a query or the table, found 'url'/,
      ],
      [
        "data: { query: temps }",
        "data: { values: [{ a: 1 }] }",
        /vega_lite\.data: data must name a query or the table, found 'values'/,
      ],
      [
        "mark: bar",
        "mark: { type: bar, href: https://example.com }",
        /vega_lite\.mark\.href: `href` would make the chart a link/,
      ],
      [
        "      encoding:",
        "      params: [{ name: t, value: 1, bind: { input: range } }]\n      encoding:",
        /vega_lite\.params\[0\]\.bind: `bind` makes an input widget, which needs a browser/,
      ],
      [
        "      title: Mean temperature by region\n",
        "",
        /sections\[0\]\.vega_lite\.title: required field is missing/,
      ],
    ];
    for (const [from, to, pattern] of cases) {
      const sections = OVER_QUERY.replace(from, to);
      assert.notEqual(sections, OVER_QUERY, from);
      assert.throws(
        () => definition(sections),
        (error: unknown) =>
          error instanceof ReportError &&
          /^custom\.yml:\d+:\d+: /.test(error.message) &&
          pattern.test(error.message),
        to,
      );
    }
    assert.throws(
      () =>
        definition(
          OVER_QUERY.replace("mark: bar", "mark: image").replace(
            "        y:",
            "        url: { value: https://example.com/i.png }\n        y:",
          ),
        ),
      /vega_lite\.encoding\.url: `url` would load from outside the report/,
    );
  });

  it("the table past max_chart_rows: the build stops at the section's data, naming the limit", async () => {
    await assert.rejects(
      built(OVER_TABLE, "limits: { max_chart_rows: 5 }\n"),
      (error: unknown) =>
        error instanceof ReportError &&
        error.message.includes(
          "sections[0].vega_lite.data: more than 5 rows of a query drawn in one chart",
        ) &&
        (error.hint ?? "").includes("data: { query: <name> }"),
    );
  });
});

describe("vega_lite sections: email", () => {
  it("a custom chart goes into the email as a PNG through the same SVG path", async () => {
    const report = await built(OVER_QUERY, "email: { charts: [Mean temperature by region] }\n");
    const images = await emailImages(report.spec, report.summary, { fontsDir: defaultFontsDir() });
    assert.equal(images.length, 1);
    const [image] = images;
    assert.equal(image.title, "Mean temperature by region");
    assert.equal(image.description, "Bar chart of mean (°c) by region, from query temps (3 rows).");
    const png = decode(image.png);
    assert.equal(png.width, image.width * 2);
    // The bars' colour from the spec's config is in the pixels.
    const { data, channels } = png;
    let teal = 0;
    for (let i = 0; i < data.length; i += channels)
      if (data[i] === 0x2a && data[i + 1] === 0x9d && data[i + 2] === 0x8f) teal++;
    assert.ok(teal > 100, `${teal} pixels of the bars' colour`);
  });
});

describe("vega_lite sections: documentation", () => {
  it("the examples in docs/report-definition.md draw, from a query and from the table", async () => {
    const doc = await readFile("docs/report-definition.md", "utf8");
    const part = doc.slice(doc.indexOf("### `vega_lite`"), doc.indexOf("### `histogram`"));
    const examples = [...part.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.equal(examples.length, 2);
    const days = [0, 40, 80, 120];
    const table = tableFromArrays({
      station: days.flatMap(() => ["North", "South"]),
      temp: Float64Array.from(days.flatMap((d) => [d / 10, d / 5 + 3])),
      date: days.flatMap((d) => [d, d]).map((d) => new Date(Date.UTC(2024, 0, 1 + d))),
    });
    const spec = parseReportSpec(
      `title: Docs\nsource: data.csv\nqueries:\n  station_range: { group_by: [station], measures: { min_temp: min(temp), max_temp: max(temp), mean_temp: mean(temp) } }\nsections:\n${examples.map((e) => e.trimEnd().replace(/^/gm, "  ")).join("\n")}\n`,
      "docs/report-definition.md",
      {},
    );
    await prepareCharts(spec);
    const summary = summarize(table, spec, { now: new Date("2025-01-01") });
    const set = await renderCharts(spec, summary);
    assert.equal(set.charts.size, 2);
    // The heat map counts two readings (one per station) in each month that has any.
    const heat = set.charts.get(1);
    assert.equal(heat?.table.rows.length, days.length * 2);
    assert.ok(
      heat?.table.rows.every((row) => row.at(-1) === "1"),
      JSON.stringify(heat?.table),
    );
  });
});

describe("vega_lite sections: the schema", () => {
  it("src/chart/vega-lite-schema.json is the installed vega-lite's schema without descriptions", async () => {
    const kept = await readFile(SCHEMA_FILE, "utf8");
    assert.ok(
      kept === (await prunedSchemaText()),
      "run: node --import tsx scripts/vega-lite-schema.ts",
    );
  });
});
