// Table sections end to end: a definition and a small CSV go through the reader, summarize,
// the model and the default templates; the rendered cells are checked against values this
// test computes itself from the same rows (sums, shares, Intl formats).
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { renderCharts } from "../src/chart/index.ts";
import { parseReportSpec } from "../src/config/load.ts";
import { readTable } from "../src/read/index.ts";
import { assembleModel, renderReport } from "../src/render/index.ts";
import { summarize } from "../src/summarize/index.ts";
import { defaultLimits, memorySource, recordingLog } from "./read-helpers.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OPTIONS = { defaultsDir: join(ROOT, "templates"), locale: "en-US", currency: "USD" };

/** Orders: region, revenue, unit price, whether it came back. */
const ORDERS: [string, number, number, boolean][] = [
  ["North", 1200.5, 12.25, false],
  ["North", 800.25, 8, true],
  ["North", 99.99, 3.5, false],
  ["South", 4000, 40, false],
  ["South", 150.75, 1.5, true],
  ["East", 300, 30, true],
  ["East", 310.1, 31, true],
  ["East", 45.5, 4.55, false],
  ["West", 2500, 25, false],
];
const CSV = `region,revenue,unit_price,returned\n${ORDERS.map((r) => r.join(",")).join("\n")}\n`;

/** The same groups as the query, computed here without the engine. */
function groups() {
  const by = new Map<
    string,
    { revenue: number; orders: number; returned: number; price: number }
  >();
  for (const [region, revenue, price, returned] of ORDERS) {
    const g = by.get(region) ?? { revenue: 0, orders: 0, returned: 0, price: 0 };
    g.revenue += revenue;
    g.orders += 1;
    g.returned += returned ? 1 : 0;
    g.price += price;
    by.set(region, g);
  }
  return [...by.entries()]
    .map(([region, g]) => ({
      region,
      revenue: g.revenue,
      orders: g.orders,
      return_rate: g.returned / g.orders,
      avg_price: g.price / g.orders,
    }))
    .sort((a, b) => b.revenue - a.revenue);
}

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const pct = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });
const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** Renders the page for a definition whose sections are given as YAML lines. */
async function renderTables(sections: string): Promise<string> {
  return renderDefinition(
    `title: Tables
source: orders.csv
queries:
  by_region:
    group_by: [region]
    measures: { revenue: sum(revenue), orders: count(), return_rate: mean(returned), avg_price: mean(unit_price) }
    sort: -revenue
sections:
${sections}`,
    "orders.csv",
    CSV,
  );
}

/** Renders the page of definition `yaml` over `csv` (read as the file `name`). */
async function renderDefinition(yaml: string, name: string, csv: string): Promise<string> {
  const spec = parseReportSpec(yaml, join(ROOT, "report", "tables.yml"), {});
  const table = await readTable(memorySource(name, new TextEncoder().encode(csv)), {
    csv: {},
    limits: defaultLimits,
    log: recordingLog(),
  });
  const summary = summarize(table, spec);
  const model = assembleModel({
    spec,
    summary,
    source: { label: name } as Parameters<typeof assembleModel>[0]["source"],
    charts: await renderCharts(spec, summary),
    now: new Date("2026-01-01T00:00:00Z"),
    notices: [],
  });
  return renderReport(model, OPTIONS);
}

interface Cell {
  tag: string;
  cls: string;
  style: string;
  text: string;
  /** The marker shown before a flagged figure, and the words only screen readers get. */
  mark?: string;
  spoken?: string;
}

/** The cells of the first table section: header, body rows and the footer row. */
function tableCells(html: string) {
  const section = /<section class="section table"[\s\S]*?<\/section>/.exec(html)?.[0];
  assert.ok(section, "a table section");
  const rowsOf = (part: string | undefined) =>
    [...(part ?? "").matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((tr) =>
      [...tr[1].matchAll(/<(t[hd])([^>]*)>([\s\S]*?)<\/t[hd]>/g)].map((m): Cell => {
        const cell: Cell = {
          tag: m[1],
          cls: /class="([^"]*)"/.exec(m[2])?.[1] ?? "",
          style: /style="([^"]*)"/.exec(m[2])?.[1] ?? "",
          text: m[3]
            .replace(/<span class="(flag|visually-hidden)"[^>]*>[^<]*<\/span>/g, "")
            .replace(/<[^>]+>/g, "")
            .replace(/&#x27;/g, "'")
            .replace(/&amp;/g, "&")
            .trim(),
        };
        const mark = /<span class="flag" aria-hidden="true">([^<]*)<\/span>/.exec(m[3])?.[1];
        const spoken = /<span class="visually-hidden">([^<]*)<\/span>/.exec(m[3])?.[1];
        if (mark !== undefined) cell.mark = mark;
        if (spoken !== undefined) cell.spoken = spoken.trim();
        return cell;
      }),
    );
  return {
    section,
    head: rowsOf(/<thead>([\s\S]*?)<\/thead>/.exec(section)?.[1])[0],
    body: rowsOf(/<tbody>([\s\S]*?)<\/tbody>/.exec(section)?.[1]),
    foot: rowsOf(/<tfoot>([\s\S]*?)<\/tfoot>/.exec(section)?.[1])[0],
  };
}

describe("table sections", () => {
  const expected = groups();

  it("format columns as the section says, else as the measure's KPI, else percent for a true/false mean", async () => {
    const html =
      await renderTables(`  - kpis: [{ label: Revenue, value: sum(revenue), format: currency }]
  - table: { query: by_region, columns: { avg_price: currency } }
`);
    const { head, body } = tableCells(html);
    assert.deepEqual(
      head.map((c) => c.text),
      ["Region", "Revenue", "Orders", "Return rate", "Avg price"],
    );
    assert.deepEqual(
      body.map((row) => row.map((c) => c.text)),
      expected.map((g) => [
        g.region,
        usd.format(g.revenue), // from the KPI's format
        int.format(g.orders),
        pct.format(g.return_rate), // mean of a true/false column
        usd.format(g.avg_price), // from `columns:`
      ]),
    );
    // The KPI tile shows the whole table's revenue in the same format.
    const all = ORDERS.reduce((s, r) => s + r[1], 0);
    assert.ok(html.includes(usd.format(all)), `the KPI tile shows ${usd.format(all)}`);
  });

  it("right-aligns numeric columns only, in header and cells", async () => {
    const { head, body } = tableCells(await renderTables("  - table: { query: by_region }\n"));
    assert.deepEqual(
      head.map((c) => c.cls),
      ["", "num", "num", "num", "num"],
    );
    for (const row of body)
      assert.deepEqual(
        row.map((c) => c.cls),
        ["", "num", "num", "num", "num"],
      );
    // Without a KPI or `columns:`, revenue is a plain number.
    assert.equal(body[0][1].text, new Intl.NumberFormat("en-US").format(expected[0].revenue));
  });

  it("draws in-cell bars as each value's share of the column's largest", async () => {
    const { body } = tableCells(
      await renderTables("  - table: { query: by_region, bars: [revenue] }\n"),
    );
    const max = Math.max(...expected.map((g) => g.revenue));
    body.forEach((row, i) => {
      assert.equal(row[1].cls, "num has-bar");
      const share = Number(/--bar:\s*([\d.]+)/.exec(row[1].style)?.[1]);
      assert.ok(Math.abs(share - expected[i].revenue / max) < 1e-4, `${row[0].text}: ${share}`);
      assert.equal(row[2].style, "", "no bar where none was asked for");
    });
    assert.equal(Number(/--bar:\s*([\d.]+)/.exec(body[0][1].style)?.[1]), 1);
  });

  it("totals sums and counts over every row, also past `limit`, and leaves means empty", async () => {
    const { body, foot } = tableCells(
      await renderTables(`  - kpis: [{ label: Revenue, value: sum(revenue), format: currency }]
  - table: { query: by_region, totals: true, limit: 2 }
`),
    );
    assert.equal(body.length, 2);
    const revenue = ORDERS.reduce((s, r) => s + r[1], 0);
    assert.equal(foot[0].tag, "th");
    assert.match(foot[0].text, /^Total \(all 4 rows\)$/);
    assert.deepEqual(
      foot.slice(1).map((c) => c.text),
      // A mean of group means is not the mean of the rows: no total for them.
      [usd.format(revenue), int.format(ORDERS.length), "", ""],
    );
    assert.deepEqual(
      foot.slice(1).map((c) => c.cls),
      ["num", "num", "num", "num"],
    );
  });
});

describe("table colouring (`color:`)", () => {
  const expected = groups();

  it("flags cells strictly past a threshold with a tint, a marker by tone and words for screen readers", async () => {
    const html = await renderTables(`  - table:
      query: by_region
      bars: [revenue]
      color:
        return_rate: { above: 0.5 }
        revenue: { above: 2200, below: 1000, tone: good }
`);
    const { body, section } = tableCells(html);
    assert.ok(!/<script/i.test(html), "no script");
    body.forEach((row, i) => {
      const g = expected[i];
      const rate = row[3];
      if (g.return_rate > 0.5) {
        assert.equal(rate.cls, "num tone-bad", `${g.region} return rate ${g.return_rate}`);
        assert.equal(rate.mark, "▲");
        assert.equal(rate.spoken, "(above 50%, bad)");
      } else {
        assert.equal(rate.cls, "num", `${g.region} return rate ${g.return_rate} is not flagged`);
        assert.equal(rate.mark, undefined);
        assert.equal(rate.spoken, undefined);
      }
      assert.equal(rate.text, pct.format(g.return_rate), "the figure itself is unchanged");
      const revenue = row[1];
      const side = g.revenue > 2200 ? "above" : g.revenue < 1000 ? "below" : undefined;
      if (side === undefined) assert.equal(revenue.cls, "num has-bar", g.region);
      else {
        assert.equal(revenue.cls, "num has-bar tone-good", g.region);
        assert.equal(revenue.mark, side === "above" ? "△" : "▽");
        const limit = new Intl.NumberFormat("en-US").format(side === "above" ? 2200 : 1000);
        assert.equal(revenue.spoken, `(${side} ${limit}, good)`);
      }
    });
    // The data has cells of every kind, so the assertions above are not vacuous.
    assert.ok(
      expected.some((g) => g.return_rate > 0.5) && expected.some((g) => g.return_rate <= 0.5),
    );
    assert.ok(expected.some((g) => g.revenue > 2200) && expected.some((g) => g.revenue < 1000));
    assert.ok(expected.some((g) => g.revenue >= 1000 && g.revenue <= 2200));
    const legend = /<p class="table-legend">([\s\S]*?)<\/p>/
      .exec(section)?.[1]
      .replace(/<[^>]+>/g, "");
    assert.equal(
      legend,
      "Return rate: ▲ above 50% (bad) · Revenue: △ above 2,200 or ▽ below 1,000 (good)",
    );
  });

  it("reads thresholds in the column's format: currency thresholds read as currency", async () => {
    const { body } = tableCells(
      await renderTables(`  - kpis: [{ label: Revenue, value: sum(revenue), format: currency }]
  - table: { query: by_region, color: { revenue: { below: 1000 } } }
`),
    );
    const flagged = body.filter((row) => row[1].mark !== undefined).map((row) => row[0].text);
    assert.deepEqual(
      flagged,
      expected.filter((g) => g.revenue < 1000).map((g) => g.region),
    );
    assert.equal(
      body.find((row) => row[1].mark !== undefined)?.[1].spoken,
      `(below ${usd.format(1000)}, bad)`,
    );
  });

  const bad: [string, string, RegExp][] = [
    [
      "an unknown column",
      "color: { return_rat: { above: 0.1 } }",
      /color\.return_rat: unknown field 'return_rat'; did you mean 'return_rate'\?/,
    ],
    ["no threshold", "color: { revenue: { tone: good } }", /color\.revenue: give a threshold/],
    [
      "a threshold that is not a number",
      "color: { revenue: { above: lots } }",
      /color\.revenue\.above: expected a number/,
    ],
    ["an unknown tone", "color: { revenue: { above: 1, tone: great } }", /color\.revenue\.tone:/],
    [
      "below not under above",
      "color: { revenue: { above: 1, below: 2 } }",
      /'below' \(2\) must be less than 'above' \(1\)/,
    ],
  ];
  for (const [what, rule, message] of bad) {
    it(`rejects ${what} at its line`, async () => {
      await assert.rejects(
        renderTables(`  - table: { query: by_region, ${rule} }\n`),
        (error: Error) => {
          assert.match(error.message, /tables\.yml:9:\d+: sections\[0\]\.table\./);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it("rejects colouring a text column", async () => {
    await assert.rejects(
      renderTables("  - table: { query: by_region, color: { region: { above: 1 } } }\n"),
      /'region' holds string values; colouring compares numbers/,
    );
  });
});

describe("whole-number group keys", () => {
  it("show as labels (2015, not 2,015) while whole-number measures keep their separators", async () => {
    const yaml = `title: Years
source: years.csv
queries:
  by_year:
    group_by: [year]
    measures: { units: sum(units) }
    sort: year
sections:
  - table: { query: by_year }
`;
    const csv = "year,units\n2015,1200\n2015,34\n2016,5000\n";
    const { body } = tableCells(await renderDefinition(yaml, "years.csv", csv));
    assert.deepEqual(
      body.map((row) => row.map((cell) => cell.text)),
      [
        ["2015", int.format(1234)],
        ["2016", int.format(5000)],
      ],
    );
  });
});
