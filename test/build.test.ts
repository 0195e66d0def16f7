// The example report end to end on the bundled sample data, checked against figures
// computed independently by Python's csv module (one run of it for every figure). The report
// is the shared sample site (test/helpers/sample-site.ts): the same build, with the same
// clock, that the Chromium tests look at, so `npm test` builds it once. Each stage's log
// line is checked on the build of the small dotted definition; the sample's read line
// ("read      45,000 rows × 16 columns") is checked by test/progress.test.ts.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { build } from "../src/build.ts";
import type { Summary } from "../src/summarize/summary.ts";
import { ROOT } from "./helpers/cli.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";
import { sampleSite } from "./helpers/sample-site.ts";

/** What the tests check of the sample CSV, computed by Python's csv module. */
interface PythonFigures {
  header: string[];
  rows: number;
  revenueByRegion: Record<string, number>;
  revenueByMonth: Record<string, number>;
}

/** Every figure the tests compare, from one Python run over the CSV. */
function pythonFigures(csvPath: string): PythonFigures {
  const script = `
import csv, json, sys
rows = 0; by_region = {}; by_month = {}
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    reader = csv.DictReader(f)
    for r in reader:
        rows += 1
        if r['revenue'] != '':
            by_region[r['region']] = by_region.get(r['region'], 0.0) + float(r['revenue'])
            if r['order_date'] != '':
                month = r['order_date'][:7]
                by_month[month] = by_month.get(month, 0.0) + float(r['revenue'])
    header = reader.fieldnames
print(json.dumps({'header': header, 'rows': rows, 'revenueByRegion': by_region, 'revenueByMonth': by_month}))
`;
  return JSON.parse(execFileSync("python3", ["-c", script, csvPath], { encoding: "utf8" }));
}

describe("build of the example report", () => {
  let summary: Summary;
  let html: string;
  let expected: PythonFigures;

  before(async () => {
    const out = await sampleSite();
    summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
    html = await readFile(join(out, "index.html"), "utf8");
    expected = pythonFigures(join(ROOT, "report/data/orders.csv"));
  });

  it("writes a summary.json that follows the shipped schema", () => {
    assertValidSummary(summary);
  });

  it("counts the rows and sums revenue per region as Python does", () => {
    assert.equal(summary.rows, expected.rows);
    const byRegion = summary.queries.by_region;
    assert.ok(byRegion, "by_region query in summary.json");
    assert.equal(byRegion.rows.length, Object.keys(expected.revenueByRegion).length);
    for (const row of byRegion.rows) {
      const want = expected.revenueByRegion[String(row.region)];
      assert.ok(
        Math.abs(Number(row.revenue) - want) < 0.01,
        `${row.region}: ${row.revenue} vs ${want}`,
      );
    }
  });

  it("heads a compared KPI with its last complete month, the month before and the change", () => {
    // The clock is 2026-01-15: January is still running, so December 2025 is the current
    // month and November the previous one. Python sums revenue per month from the CSV.
    const byMonth = expected.revenueByMonth;
    const current = byMonth["2025-12"];
    const previous = byMonth["2025-11"];
    const tile = summary.kpis.find((kpi) => kpi.label === "Revenue");
    assert.ok(tile?.comparison, "the Revenue tile compares months");
    assert.equal(tile.comparison.current, "2025-12-01");
    assert.equal(tile.comparison.previous, "2025-11-01");
    assert.equal(tile.comparison.partial, false);
    assert.ok(Math.abs(Number(tile.comparison.currentValue) - current) < 0.01);
    assert.ok(Math.abs(Number(tile.comparison.previousValue) - previous) < 0.01);
    assert.ok(Math.abs(Number(tile.comparison.change) - (current - previous) / previous) < 1e-9);
    // On the page: the headline is December's figure, the period named, November's beside it.
    const money = (n: number) =>
      new Intl.NumberFormat("en-US", {
        style: "currency",
        currency: "USD",
        notation: "compact",
        maximumFractionDigits: 1,
      }).format(n);
    const pct = ((current - previous) / previous) * 100;
    const tileHtml = html.slice(
      html.indexOf(">Revenue<"),
      html.indexOf("</div>", html.indexOf(">Revenue<")),
    );
    assert.match(tileHtml, /Dec 2025/);
    assert.ok(
      tileHtml.includes(`>${money(current)}</dd>`),
      `headline ${money(current)} in ${tileHtml}`,
    );
    assert.ok(tileHtml.includes(`vs Nov 2025: ${money(previous)}`), tileHtml);
    assert.ok(tileHtml.includes(`${pct > 0 ? "+" : "−"}${Math.abs(pct).toFixed(1)}%`), tileHtml);
  });

  it("profiles every column in summary.json", () => {
    assert.deepEqual(
      summary.columns.map((c) => c.name),
      expected.header,
    );
    const revenue = summary.columns.find((c) => c.name === "revenue");
    assert.equal(revenue?.type, "float");
    assert.ok(revenue?.quantiles && typeof revenue.quantiles.p50 === "number");
  });

  it("writes a self-contained page: no script, no external URL", () => {
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /\s(src|href)="https?:/i);
    assert.doesNotMatch(html, /url\(\s*["']?https?:/i);
    assert.match(html, /<svg[^>]*role="img"/);
    assert.match(html, /Sales overview/);
  });
});

describe("build --source of a folder", () => {
  it("profiles a Hive-partitioned dataset as one table with its partition columns", async () => {
    const out = join(await mkdtemp(join(tmpdir(), "csr-folder-")), "output");
    const folder = join(ROOT, "test/input/read/generated/dataset");
    await build({ source: folder, outDir: out }, recordingEffects());
    const summary: Summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
    assertValidSummary(summary);
    // make-fixtures.ts writes v = [1, 2] in year=2023/month=12, [3] in 2024/01 and
    // [4, 5, 6] in 2024/02, plus a _SUCCESS marker that is not data.
    assert.equal(summary.rows, 6);
    assert.equal(summary.columns.find((c) => c.name === "v")?.mean, 3.5);
    const year = summary.columns.find((c) => c.name === "year");
    assert.equal(year?.type, "integer");
    assert.equal(year?.min, 2023);
    assert.equal(year?.max, 2024);
  });
});

describe("column names with . [ ]", () => {
  let html: string;
  let log: string[];

  before(async () => {
    const out = join(await mkdtemp(join(tmpdir(), "csr-dots-")), "output");
    const definition = join(ROOT, "test/input/build/dotted/report.yml");
    const effects = recordingEffects();
    await build({ definition, outDir: out }, effects);
    log = effects.lines;
    assertValidSummary(JSON.parse(await readFile(join(out, "summary.json"), "utf8")));
    html = await readFile(join(out, "index.html"), "utf8");
  });

  it("chart them as plain names, not as paths into nested fields", () => {
    const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>"));
    // The three regions label the x axis; unescaped, vega-lite read region.name as a path
    // and drew one "undefined" category.
    for (const region of ["North", "South", "East"]) assert.match(svg, new RegExp(`>${region}<`));
    assert.doesNotMatch(svg, />undefined</);
  });

  it("log one line per stage with a time, and the rows read", () => {
    for (const name of ["config", "source", "read", "summarize", "charts", "render", "write"]) {
      const line = log.find((l) => l.startsWith(name));
      assert.ok(line, `a ${name} line in:\n${log.join("\n")}`);
      assert.match(line, /\d+(\.\d+)? (ms|s)$/);
    }
    assert.ok(
      log.some((l) => /^read +3 rows × 2 columns /.test(l)),
      "rows read are logged",
    );
  });
});

describe("non-ISO dates", () => {
  it("are recognized and declared, month() groups them, and the report shows the notice", async () => {
    const dir = await mkdtemp(join(tmpdir(), "csr-dates-"));
    const out = join(dir, "output");
    // Two columns of the same six days: one recognized (%b %d %Y), one declared (%d/%m/%y).
    const days = [
      "Jan 30 2024",
      "Jan 31 2024",
      "Feb 1 2024",
      "Feb 29 2024",
      "Mar 1 2024",
      "Mar 2 2024",
    ];
    const declared = ["30/01/24", "31/01/24", "01/02/24", "29/02/24", "01/03/24", "02/03/24"];
    const rows = days.map((day, k) => `${day},${declared[k]},${k + 1}`);
    await writeFile(join(dir, "data.csv"), `day,shipped,units\n${rows.join("\n")}\n`);
    const definition = join(dir, "report.yml");
    await writeFile(
      definition,
      [
        "title: Dates",
        "source:",
        "  file: data.csv",
        "  columns:",
        '    shipped: { type: date, format: "%d/%m/%y" }',
        "queries:",
        '  by_month: { group_by: ["month(day)"], measures: { units: sum(units) } }',
        '  shipped: { group_by: ["month(shipped)"], measures: { units: sum(units) } }',
        "sections:",
        "  - table: { query: by_month }",
        "  - table: { query: shipped }",
      ].join("\n"),
    );
    const effects = recordingEffects();
    await build({ definition, outDir: out }, effects);
    const summary: Summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
    // January: 1 + 2, February: 3 + 4, March: 5 + 6, in both columns.
    for (const name of ["by_month", "shipped"]) {
      const result = summary.queries[name];
      assert.deepEqual(
        result.rows.map((row) => row.units),
        [3, 7, 11],
        name,
      );
    }
    const notice = 'column "day" is read as dates in the form %b %d %Y';
    assert.ok(effects.lines.some((line) => line.includes(notice)));
    const html = await readFile(join(out, "index.html"), "utf8");
    const notices = html.slice(html.indexOf('<section class="notices"'));
    assert.ok(notices.includes(notice.replaceAll('"', "&quot;")), "the report shows the notice");
    assert.ok(!html.includes(dir), "no absolute path of the building machine in the page");
    for (const name of ["email.html", "email.txt"]) {
      const mail = await readFile(join(out, name), "utf8");
      assert.ok(!mail.includes(dir), `no absolute path of the building machine in ${name}`);
    }
  });
});

describe("the test effects", () => {
  it("reach no real environment and no network beyond 127.0.0.1", async () => {
    const effects = recordingEffects();
    assert.deepEqual(effects.env, {});
    await assert.rejects(effects.fetch("https://example.com/"), /refused https:\/\/example\.com/);
    await assert.rejects(effects.fetch(new URL("http://10.0.0.1:9/")), /refused/);
    // A local address passes through to the real fetch (nothing listens on port 9 here).
    await assert.rejects(effects.fetch("http://127.0.0.1:9/"), (error: Error) => {
      assert.doesNotMatch(error.message, /refused http/);
      return true;
    });
  });
});
