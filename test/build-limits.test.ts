// The output side of the input limits, end to end: real CSV files written here, read by the
// CSV reader and built into output/ by `build`. Profile histograms stop at
// max_profile_charts (with a notice on the page and in the log); no text from the data
// reaches the page or summary.json longer than max_text_chars; a wide table builds whole.
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { build } from "../src/build.ts";
import { ReportError } from "../src/errors.ts";
import type { Summary } from "../src/summarize/summary.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";

interface Built {
  html: string;
  summaryText: string;
  summary: Summary;
  log: string[];
}

/** Writes `csv` and a definition of `yaml` (its source is the CSV) to a new folder and builds it. */
async function buildReport(csv: string, yaml: string): Promise<Built> {
  const dir = await mkdtemp(join(tmpdir(), "csr-limits-"));
  await writeFile(join(dir, "data.csv"), csv);
  await writeFile(join(dir, "report.yml"), `title: Limits\nsource: data.csv\n${yaml}`);
  const effects = recordingEffects();
  const out = join(dir, "output");
  await build({ definition: join(dir, "report.yml"), outDir: out }, effects);
  const summaryText = await readFile(join(out, "summary.json"), "utf8");
  assertValidSummary(JSON.parse(summaryText));
  return {
    html: await readFile(join(out, "index.html"), "utf8"),
    summaryText,
    summary: JSON.parse(summaryText),
    log: effects.lines,
  };
}

/** How many times `pattern` (global) matches `text`. */
function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/** The longest run of `char` in `text`. */
function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

describe("max_profile_charts", () => {
  it("draws histograms for the first columns only, and says so on the page and in the log", async () => {
    // 12 numeric columns between two text ones; each numeric column has a spread of values.
    const names = ["label", ...Array.from({ length: 12 }, (_, i) => `n${i + 1}`), "note"];
    const lines = [names.join(",")];
    for (let r = 0; r < 30; r++) {
      lines.push(["x", ...Array.from({ length: 12 }, (_, i) => (r * (i + 3)) % 17), "y"].join(","));
    }
    const built = await buildReport(
      `${lines.join("\n")}\n`,
      "limits: { max_profile_charts: 5 }\nsections: [profile: all]\n",
    );
    const sparklines = [...built.html.matchAll(/<div class="sparkline"><svg[^>]* id="([^"]+)"/g)];
    // Profile histograms are numbered by column position (label is 1): n1 … n5 are 2 … 6.
    assert.deepEqual(
      sparklines.map((m) => m[1]),
      ["n1", "n2", "n3", "n4", "n5"].map((_, i) => `hist-${i + 2}`),
    );
    // Every column keeps its profile, with its histogram's figures, in summary.json.
    assert.equal(built.summary.columns.length, 14);
    assert.equal(built.summary.columns.filter((c) => c.histogram !== undefined).length, 12);
    assert.equal(count(built.html, /<article class="card"/g), 14);
    const notice =
      /Histograms are drawn for the first 5 of 12 numeric and date columns \(limit max_profile_charts\)/;
    const notices = /<section class="notices"[\s\S]*?<\/section>/.exec(built.html)?.[0] ?? "";
    assert.match(notices, notice);
    assert.ok(
      built.log.some((line) => notice.test(line)),
      built.log.join("\n"),
    );
  });
});

describe("max_chart_rows", () => {
  // 60 regions, one order each: a query by region has 60 groups.
  const csv = `region,revenue\n${Array.from({ length: 60 }, (_, i) => `r${i},${i + 1}`).join("\n")}\n`;
  const definition = (limit: string) => `limits: { max_chart_rows: 50 }
queries:
  by_region:
    group_by: [region]
    measures: { revenue: sum(revenue) }${limit}
sections:
  - chart: { title: Revenue by region, query: by_region, mark: bar, x: region, y: revenue }
`;

  it("stops a chart of more rows than the limit, naming the chart in the definition", async () => {
    await assert.rejects(buildReport(csv, definition("")), (error: unknown) => {
      assert.ok(error instanceof ReportError, String(error));
      assert.match(
        error.message,
        /report\.yml:\d+:\d+: sections\[0\]\S*: more than 50 rows of a query drawn in one chart \(limit max_chart_rows\)$/,
      );
      assert.match(error.hint ?? "", /limit:/);
      assert.match(error.hint ?? "", /max_chart_rows: 200/);
      return true;
    });
  });

  it("draws the chart when the query's limit keeps it within", async () => {
    const built = await buildReport(csv, definition("\n    limit: 50"));
    assert.equal(built.summary.queries.by_region.rows.length, 50);
    assert.match(built.html, /<svg id="chart-1"/);
  });
});

describe("max_text_chars", () => {
  it("cuts a 200,000-character cell and a 3,000-character column name everywhere", async () => {
    // A value of 200,000 'é' after an astral character, and a header of 3,000 'h'.
    const cell = `🙂${"é".repeat(200_000)}`;
    const header = `h${"h".repeat(2999)}`;
    const csv = `region,${header},revenue\n${cell},a,10\n${cell},b,20\nWest,a,5\nEast,c,7\n`;
    const built = await buildReport(
      csv,
      `limits: { max_text_chars: 100 }
queries:
  by_region:
    group_by: [region]
    measures: { revenue: sum(revenue), first: min(${header}) }
sections:
  - chart: { title: Revenue by region, query: by_region, mark: bar, x: region, y: revenue }
  - table: { query: by_region }
  - profile: all
`,
    );
    const cut = `🙂${"é".repeat(98)}…`;
    for (const [file, text] of [
      ["index.html", built.html],
      ["summary.json", built.summaryText],
    ]) {
      assert.ok(longestRun(text, "é") <= 98, `${file}: a run of ${longestRun(text, "é")} é`);
      assert.ok(longestRun(text, "h") <= 99, `${file}: a run of ${longestRun(text, "h")} h`);
      assert.ok(text.includes(cut), `${file} shows the cut value`);
    }
    // Page and summary stay small: the cell appears cut in the table, the chart's data
    // table, its description and the profile's top values.
    assert.ok(built.html.length < 2_000_000, `index.html is ${built.html.length} characters`);
    const region = built.summary.columns.find((c) => c.name === "region");
    assert.equal(region?.top?.[0].value, cut);
    assert.equal(built.summary.columns[1].name, `${"h".repeat(99)}…`);
  });
});

describe("a wide table", () => {
  it("builds 2,000 columns with a card for each and the default cap on histograms", async () => {
    const columns = 2000;
    const header = Array.from({ length: columns }, (_, i) => `c${i}`).join(",");
    const row = (r: number) =>
      Array.from({ length: columns }, (_, i) => (i % 2 === 0 ? (r * 7 + i) % 11 : `s${r}`)).join(
        ",",
      );
    const built = await buildReport(
      `${header}\n${row(1)}\n${row(2)}\n${row(3)}\n`,
      "sections: [profile: all]\n",
    );
    assert.equal(built.summary.columns.length, columns);
    assert.equal(count(built.html, /<article class="card"/g), columns);
    assert.equal(count(built.html, /<div class="sparkline">/g), 200);
  });
});
