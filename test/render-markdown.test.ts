// Markdown in text sections and descriptions (src/render/markdown.ts) and inline values from
// the summaries (src/config/inline-values.ts, src/render/inline-values.ts): what reaches the
// page, what is escaped or dropped, figures checked against sums computed here from the CSV,
// and definition errors located at the placeholder itself, by `check` as by `build`.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { build } from "../src/build.ts";
import { ReportError } from "../src/errors.ts";
import { isAllowedLink, renderMarkdown } from "../src/render/markdown.ts";
import { runCli } from "./helpers/cli.ts";
import { recordingEffects } from "./helpers/effects.ts";

const none = () => "";

describe("renderMarkdown", () => {
  it("renders CommonMark with tables, escapes raw HTML and shifts headings below the title", () => {
    const html = renderMarkdown(
      [
        "# Notes",
        "",
        "Some **bold**, *italic* and `code` <script>alert(1)</script>.",
        "",
        "- one",
        "- two",
        "",
        "> quoted",
        "",
        "| region | share |",
        "|---|--:|",
        "| North | 12% |",
      ].join("\n"),
      none,
    );
    assert.match(html, /<h2>Notes<\/h2>/);
    assert.match(html, /<strong>bold<\/strong>, <em>italic<\/em> and <code>code<\/code>/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /<ul>\s*<li>one<\/li>\s*<li>two<\/li>\s*<\/ul>/);
    assert.match(html, /<blockquote>\s*<p>quoted<\/p>\s*<\/blockquote>/);
    assert.match(html, /<div class="md-table"><table>[\s\S]*<td>North<\/td>/);
    assert.match(html, /<th style="text-align:right">share<\/th>/);
  });

  it("keeps http(s), mailto, relative and fragment links; drops others; marks links that leave", () => {
    const html = renderMarkdown(
      "[a](https://example.com/x) [b](mailto:ops@example.com) [c](products.html#top) [d](#kpis) " +
        "[e](javascript:alert(1)) [f](data:text/html,hi) [g](vbscript:x) [h](file:///etc/passwd) " +
        "![chart](https://example.com/tracker.png)",
      none,
    );
    assert.match(html, /<a href="https:\/\/example.com\/x" rel="noopener noreferrer">a<\/a>/);
    assert.match(html, /<a href="mailto:ops@example.com">b<\/a>/);
    assert.match(html, /<a href="products.html#top">c<\/a>/);
    assert.match(html, /<a href="#kpis">d<\/a>/);
    for (const scheme of ["javascript", "data", "vbscript", "file"])
      assert.doesNotMatch(html, new RegExp(`href="${scheme}`, "i"));
    assert.doesNotMatch(html, /<img/, "no image: the page makes no outside request");
    assert.equal(isAllowedLink(" JavaScript:alert(1)"), false);
    assert.equal(isAllowedLink("HTTPS://example.com"), true);
  });

  it("fills values after Markdown, so a value's own Markdown or HTML stays literal", () => {
    const html = renderMarkdown("Top: **{{ kpi.A }}** and `{{ kpi.A }}`", () => "**x** <b>&");
    assert.equal(
      html.trim(),
      "<p>Top: <strong>**x** &lt;b&gt;&amp;</strong> and <code>**x** &lt;b&gt;&amp;</code></p>",
    );
    assert.equal(renderMarkdown("\\{{ kpi.A }}", () => "no").trim(), "<p>{{ kpi.A }}</p>");
    // Marker characters typed into the text cannot pull in a value.
    assert.equal(renderMarkdown("a \uE0000\uE001 {{ kpi.A }}", () => "v").trim(), "<p>a 0 v</p>");
  });
});

// A small data set: sums computed here are the expected figures.
const CSV = [
  "region,product,revenue",
  "North,pen,100.25",
  "South,ink,40",
  "North,ink,60.5",
  "**x** <b>,pad,10",
  "East,pen,25",
].join("\n");

const DEFINITION = `title: Notes
description: |
  Revenue is **{{ kpi.Revenue }}**; see [the data](https://example.com/data).
source: data.csv
queries:
  by_region: { group_by: [region], measures: { revenue: sum(revenue) }, sort: revenue }
sections:
  - kpis: [{ label: Revenue, value: sum(revenue), format: currency }]
  - text: |
      ## Where it comes from

      The smallest region is {{ query.by_region[0].region }} with
      {{ query.by_region[0].revenue }}; the largest is
      {{ query.by_region[3].region }} ({{ query.by_region[3].revenue }}).
  - table: { query: by_region }
email:
  text: "Total: **{{ kpi.Revenue }}**. [Open](https://example.com/r)"
history: false
`;

function project(definition: string): string {
  const dir = mkdtempSync(join(tmpdir(), "markdown-"));
  writeFileSync(join(dir, "data.csv"), CSV);
  writeFileSync(join(dir, "report.yml"), definition);
  return dir;
}

const usd = (n: number) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(n);

describe("inline values in a built report", () => {
  let dir: string;
  let html: string;
  let emailHtml: string;
  let emailText: string;
  const rows = CSV.split("\n")
    .slice(1)
    .map((line) => line.split(","));
  const total = rows.reduce((n, r) => n + Number(r[2]), 0);
  const byRegion = new Map<string, number>();
  for (const r of rows) byRegion.set(r[0], (byRegion.get(r[0]) ?? 0) + Number(r[2]));
  const ascending = [...byRegion].sort((a, b) => a[1] - b[1]);

  before(async () => {
    dir = project(DEFINITION);
    await build(
      { definition: join(dir, "report.yml"), outDir: join(dir, "out") },
      recordingEffects(),
    );
    html = readFileSync(join(dir, "out", "index.html"), "utf8");
    emailHtml = readFileSync(join(dir, "out", "email.html"), "utf8");
    emailText = readFileSync(join(dir, "out", "email.txt"), "utf8");
  });

  it("fills KPI and query values formatted as their tile and table show them", () => {
    assert.match(html, new RegExp(`Revenue is <strong>\\${usd(total)}</strong>`));
    const [smallest, , , largest] = ascending;
    assert.equal(smallest[0], "**x** <b>");
    // The smallest region's name holds Markdown and HTML: both stay literal.
    assert.ok(
      html.includes(`The smallest region is **x** &lt;b&gt; with\n${usd(smallest[1])}`),
      "escaped value",
    );
    assert.ok(html.includes(`the largest is\n${largest[0]} (${usd(largest[1])})`));
    assert.match(
      html,
      /<h3>Where it comes from<\/h3>/,
      "## is an h3: # is at a section title's level",
    );
    assert.match(html, /<meta name="description" content="Revenue is \$[\d,.]+; see the data.">/);
  });

  it("renders the email's Markdown with inline styles, and fills the text part", () => {
    assert.match(emailHtml, new RegExp(`<strong>\\${usd(total)}</strong>`));
    assert.match(
      emailHtml,
      /<a href="https:\/\/example.com\/r" rel="noopener noreferrer" style="color:[^"]+">Open<\/a>/,
    );
    assert.match(emailHtml, /<p style="margin:0 0 10px;[^"]*">Total:/);
    assert.ok(emailText.includes(`Total: **${usd(total)}**. [Open](https://example.com/r)`));
  });
});

describe("inline value errors", () => {
  const failure = async (definition: string) => {
    const dir = project(definition);
    const checked = await runCli(["check", join(dir, "report.yml")]);
    assert.notEqual(checked.code, 0);
    return checked.stderr;
  };

  it("names an unknown KPI at its own line and column, with a did-you-mean, in check", async () => {
    const stderr = await failure(DEFINITION.replace("{{ kpi.Revenue }}**;", "{{ kpi.Revenu }}**;"));
    // Line 3 of the file, after "  Revenue is **" (15 characters): column 16.
    assert.match(
      stderr,
      /report\.yml:3:16: description: \{\{ kpi\.Revenu \}\}: no KPI labelled 'Revenu'; did you mean 'Revenue'\?/,
    );
  });

  it("names an unknown query, column, a row past the limit and a change without compare", async () => {
    const inText = (placeholder: string) =>
      DEFINITION.replace("{{ query.by_region[0].region }}", placeholder);
    assert.match(
      await failure(inText("{{ query.by_regoin[0].region }}")),
      /report\.yml:12:30: sections\[1\]\.text: .*no query named 'by_regoin'; did you mean 'by_region'\?/,
    );
    assert.match(
      await failure(inText("{{ query.by_region[0].regon }}")),
      /'regon' is not a column of query 'by_region'; did you mean 'region'\?/,
    );
    assert.match(
      await failure(
        inText("{{ query.by_region[2].region }}").replace(
          "sort: revenue }",
          "sort: revenue, limit: 2 }",
        ),
      ),
      /query 'by_region' has at most 2 rows, so row 2 does not exist/,
    );
    assert.match(
      await failure(inText("{{ kpi.Revenue.change }}")),
      /KPI 'Revenue' has no change: it compares no periods/,
    );
    assert.match(await failure(inText("{{ revenue }}")), /\{\{ revenue \}\}: not an inline value/);
  });

  it("stops the build at a row the data does not have, naming the query and its rows", async () => {
    const dir = project(
      DEFINITION.replace("query.by_region[3].region", "query.by_region[7].region"),
    );
    await assert.rejects(
      build({ definition: join(dir, "report.yml"), outDir: join(dir, "out") }, recordingEffects()),
      (error: unknown) =>
        error instanceof ReportError &&
        /report\.yml:14:7: sections\[1\]\.text: \{\{ query\.by_region\[7\]\.region \}\}: query 'by_region' has 4 rows in this data, so row 7 does not exist/.test(
          error.message,
        ),
    );
  });
});
