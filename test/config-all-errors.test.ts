// `check` and `build` report every definition problem in one pass, in file order. The expected
// messages come from the checker itself, one mistake at a time: each mistake alone gives one
// error, and the file with all of them must list exactly those errors, sorted by position,
// and nothing that is only a consequence of another (a reference to a query that is broken).
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseReportSpec } from "../src/config/load.ts";
import { ReportError } from "../src/errors.ts";
import { runCli } from "./helpers/cli.ts";

/** A definition template: every line that a mistake may replace is named. */
const LINES = {
  title: "title: Sales",
  source: "source: orders.csv",
  queries: "queries:",
  byRegion: "  by_region: { group_by: [region], measures: { revenue: sum(revenue) } }",
  byMonth: '  by_month: { group_by: ["month(order_date)"], measures: { orders: count() } }',
  sections: "sections:",
  kpis: "  - kpis:",
  kpi: "      - { label: Revenue, value: sum(revenue), format: currency }",
  chart: "  - chart: { title: By region, query: by_region, mark: bar, x: region, y: revenue }",
  table: "  - table: { query: by_month }",
  locale: "locale: en-US",
  email: "email: { table: { query: by_region, rows: 5 }, subject: '{kpi.Revenue}' }",
} as const;

type LineName = keyof typeof LINES;

/** Independent mistakes, each replacing one line. */
const MISTAKES: Partial<Record<LineName, string>> = {
  title: "titel: Sales",
  byRegion: "  by_region: { group_by: [region], measures: { revenue: summ(revenue) } }",
  kpi: "      - { label: Revenue, value: sum(revenue), format: dollars }",
  table: "  - table: { query: by_mnth }",
  locale: "locale: not a locale!",
};

function definition(mistakes: readonly LineName[]): string {
  return `${(Object.keys(LINES) as LineName[])
    .map((name) => (mistakes.includes(name) ? MISTAKES[name] : LINES[name]))
    .join("\n")}\n`;
}

function errorOf(text: string): ReportError {
  try {
    parseReportSpec(text, "report.yml", {});
  } catch (error) {
    assert.ok(error instanceof ReportError, String(error));
    return error;
  }
  assert.fail("expected the definition to fail");
}

test("the template itself is valid", () => {
  assert.equal(parseReportSpec(definition([]), "report.yml", {}).title, "Sales");
});

test("every independent mistake is reported in one pass, sorted by line, with its hint", () => {
  const names = Object.keys(MISTAKES) as LineName[];
  const alone = names.map((name) => errorOf(definition([name])));
  // One mistake alone is one located error, reported as before; the title typo is two (an
  // unknown field, and `title` missing), both real.
  for (const error of alone) assert.match(error.message, /^report\.yml:(\d+:\d+: | 2 problems)/);
  const all = errorOf(definition(names));
  const lines = all.message.split("\n");
  assert.match(lines[0], /^report\.yml: \d+ problems in the report definition:$/);
  const located = lines.filter((l) => /^report\.yml:\d+:\d+: /.test(l));
  const expected = alone.flatMap((error) =>
    error.message.split("\n").filter((l) => /^report\.yml:\d+:\d+: /.test(l)),
  );
  // The same errors as one at a time (the broken query's references add nothing: the email
  // table and the chart both name by_region, which failed to read).
  assert.deepEqual([...located].sort(), [...expected].sort());
  assert.equal(Number(lines[0].match(/(\d+) problems/)?.[1]), located.length);
  const positions = located.map((l) =>
    l
      .match(/^report\.yml:(\d+):(\d+)/)!
      .slice(1)
      .map(Number),
  );
  const sorted = [...positions].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  assert.deepEqual(positions, sorted, "in file order");
  // (Hints listing the queries differ: the broken by_region is not among them.)
  for (const error of alone) {
    if (
      error.hint &&
      !error.hint.startsWith("Queries:") &&
      !error.message.includes("problems in the report definition")
    )
      assert.ok(all.message.includes(error.hint.split("\n")[0]), error.hint);
  }
  assert.match(all.hint ?? "", /Fix them all/);
});

test("`check` prints every problem and exits 1", async () => {
  const dir = await mkdtemp(join(tmpdir(), "csr-all-errors-"));
  await writeFile(join(dir, "orders.csv"), "region,revenue,order_date\nEU,1,2024-01-02\n");
  const file = join(dir, "report.yml");
  await writeFile(file, definition(["locale", "table"]));
  const run = await runCli(["check", file]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /2 problems in the report definition/);
  assert.match(run.stderr, /report\.yml:\d+:\d+: locale: 'not a locale!' is not a locale tag/);
  assert.match(
    run.stderr,
    /report\.yml:\d+:\d+: sections\[2\]\.table\.query: no query named 'by_mnth'/,
  );
  assert.ok(
    run.stderr.indexOf("sections[2]") < run.stderr.indexOf("locale:"),
    "sorted by position",
  );
});

/**
 * A definition whose mistakes only the data reveals (column names), one line each; a query and
 * a KPI tile each span several lines, so that one unit holds several mistakes.
 */
const DATA_LINES = {
  title: "title: Sales",
  source: "source: orders.csv",
  columns: "columns:",
  margin: '  margin: "revenue * 0.2"',
  double: '  double_margin: "margin * 2"',
  queries: "queries:",
  byRegion: "  by_region: { group_by: [region], measures: { revenue: sum(revenue) } }",
  byMargin: "  by_margin: { group_by: [region], measures: { m: sum(double_margin) } }",
  byChannel: "  by_channel:",
  channelKeys: "    group_by: [channel]",
  channelMeasures: "    measures: { orders: count(), revenue: sum(revenue) }",
  channelFilter: '    filter: "revenue > 0"',
  channelSort: "    sort: -orders",
  sections: "sections:",
  kpis: "  - kpis:",
  kpiLabel: "      - label: Revenue",
  kpiValue: '        value: "sum(revenue)"',
  kpiFilter: "        filter: \"region != 'XX'\"",
  kpiCompare: "        compare: { column: order_date, period: month }",
  histogram: "  - histogram: { title: Revenue, column: revenue }",
} as const;
type DataLine = keyof typeof DATA_LINES;
/** In file order, as the combined report lists them. */
const DATA_MISTAKES: Partial<Record<DataLine, string>> = {
  margin: '  margin: "revenu * 0.2"',
  byRegion: "  by_region: { group_by: [regoin], measures: { revenue: sum(revenue) } }",
  channelKeys: "    group_by: [chanel]",
  channelMeasures: "    measures: { orders: count(), revenue: sum(revnue) }",
  channelFilter: '    filter: "revenu > 0"',
  kpiValue: '        value: "sum(revnue)"',
  kpiFilter: "        filter: \"regon != 'XX'\"",
  kpiCompare: "        compare: { column: ordr_date, period: month }",
  histogram: "  - histogram: { title: Revenue, column: revenu }",
};

async function checkStderr(dir: string, mistakes: readonly DataLine[]): Promise<string> {
  const file = join(dir, `report-${mistakes.join("-") || "none"}.yml`);
  await writeFile(
    file,
    `${(Object.keys(DATA_LINES) as DataLine[])
      .map((name) => (mistakes.includes(name) ? DATA_MISTAKES[name] : DATA_LINES[name]))
      .join("\n")}\n`,
  );
  const run = await runCli(["check", file]);
  assert.equal(run.code, mistakes.length === 0 ? 0 : 1, run.stderr);
  return run.stderr;
}

test("`check` reports every column problem the data reveals in one run, and none twice", async () => {
  const dir = await mkdtemp(join(tmpdir(), "csr-all-data-errors-"));
  await writeFile(
    join(dir, "orders.csv"),
    "region,revenue,channel,order_date\nEU,10,web,2024-01-02\nUS,30,shop,2024-02-03\n",
  );
  await checkStderr(dir, []);
  const located = (stderr: string) =>
    stderr
      .split("\n")
      .map((l) => l.replace(/^error: /, ""))
      .filter((l) => /\.yml:\d+:\d+: /.test(l))
      .map((l) => l.replace(/^.*?report-[\w-]+\.yml:/, ""))
      // (The list of available columns lacks the broken derived ones when they are broken.)
      .map((l) => l.replace(/ Available columns: .*$/, ""));
  const names = Object.keys(DATA_MISTAKES) as DataLine[];
  const alone: string[] = [];
  for (const name of names) {
    const lines = located(await checkStderr(dir, [name]));
    assert.equal(lines.length, 1, `${name} alone: ${lines.join(" | ")}`);
    alone.push(lines[0]);
  }
  const all = await checkStderr(dir, names);
  assert.match(all, new RegExp(`${names.length} problems in the report definition`));
  // Exactly the single runs' errors, in file order: every mistake of the one query and the one
  // KPI tile, and the broken `margin` costs no second error in `double_margin` or in
  // `by_margin`, which use it.
  assert.deepEqual(located(all), alone);
});

test("a KPI that fails hides only references to itself: a misspelled reference to another is still reported", () => {
  const text = `title: Sales
source: orders.csv
sections:
  - kpis:
      - { label: Revenue, value: sum(revenue), format: money }
      - { label: Orders, value: count() }
  - text: "Revenue {{ kpi.Revenue }}, orders {{ kpi.Ordrs }}"
email: { subject: "{kpi.Revenue} and {kpi.Ordres}" }
`;
  const error = errorOf(text);
  const located = error.message.split("\n").filter((l) => /^report\.yml:\d+:\d+: /.test(l));
  assert.equal(located.length, 3, error.message);
  assert.match(located[0], /^report\.yml:5:\d+: sections\[0\]\.kpis\[0\]\.format: 'money'/);
  assert.match(
    located[1],
    /^report\.yml:7:\d+: .*kpi\.Ordrs.*no KPI labelled 'Ordrs'; did you mean 'Orders'/,
  );
  assert.match(
    located[2],
    /^report\.yml:8:\d+: email\.subject: \{kpi\.Ordres\}.*did you mean 'Orders'/,
  );
});
