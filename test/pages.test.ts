// `pages:` (src/config/pages.ts, src/render/pages.ts): a report built in-process into several
// pages, each with the shared navigation (its own entry marked aria-current), only its own
// sections, self-contained and offline; alerts linking to cards on another page; the Connect
// bundle carrying every page with index.html as the primary document; definition errors.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { type BuildResult, build } from "../src/build.ts";
import { prepareStatic } from "../src/cli/publish.ts";
import { createBundle } from "../src/connect/bundle.ts";
import { runCli } from "./helpers/cli.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { readTarGz } from "./servers/connect-deploy.ts";

// 30 rows; `note` is empty in all but one, so the profile raises a missing-values alert.
const CSV = [
  "region,product,revenue,note",
  ...Array.from(
    { length: 30 },
    (_, i) =>
      `${["North", "South", "East"][i % 3]},${["pen", "ink", "pad", "clip"][i % 4]},${(i * 7) % 50},${i === 0 ? "x" : ""}`,
  ),
].join("\n");

const DEFINITION = `title: Sales
description: All **regions**.
source: data.csv
queries:
  by_region: { group_by: [region], measures: { revenue: sum(revenue) } }
  by_product: { group_by: [product], measures: { revenue: sum(revenue), orders: count() } }
pages:
  - title: Overview
    sections:
      - kpis: [{ label: Revenue, value: sum(revenue), format: currency }]
      - text: "Largest region: {{ query.by_region[0].region }}. See [products](products.html)."
  - title: Products
    sections:
      - chart:
          title: Revenue by product
          description: "Of **{{ kpi.Revenue }}** in all."
          query: by_product
          mark: bar
          x: product
          y: revenue
      - table: { query: by_product }
  - title: Columns & quality
    sections:
      - profile: [note, revenue]
history: false
`;

function project(definition: string): string {
  const dir = mkdtempSync(join(tmpdir(), "pages-"));
  writeFileSync(join(dir, "data.csv"), CSV);
  writeFileSync(join(dir, "report.yml"), definition);
  return dir;
}

/** The navigation of a page: each link's href, text and whether it is the current one. */
function nav(html: string): { href: string; text: string; current: boolean }[] {
  const block = /<nav class="report-nav"[^>]*>([\s\S]*?)<\/nav>/.exec(html);
  assert.ok(block, "the page has the navigation");
  return [...block[1].matchAll(/<a href="([^"]+)"( aria-current="page")?>([^<]*)<\/a>/g)].map(
    (m) => ({ href: m[1], current: m[2] !== undefined, text: m[3] }),
  );
}

/** The kinds of the sections on a page, in order ("kpis", "text", ...). */
function sectionKinds(html: string): string[] {
  return [...html.matchAll(/<section class="section ([a-z]+)/g)].map((m) => m[1]);
}

describe("a report with pages", () => {
  let dir: string;
  let out: string;
  let result: BuildResult;
  const page = (file: string) => readFileSync(join(out, file), "utf8");
  const FILES = ["index.html", "products.html", "columns-quality.html"];

  before(async () => {
    dir = project(DEFINITION);
    out = join(dir, "out");
    result = await build({ definition: join(dir, "report.yml"), outDir: out }, recordingEffects());
  });

  it("writes one file per page, the first as index.html, the others named from their titles", () => {
    assert.deepEqual(result.pages, FILES);
    const written = readdirSync(out).filter((f) => f.endsWith(".html"));
    assert.deepEqual(written.sort(), [...FILES, "email.html"].sort());
  });

  it("gives every page the same navigation with its own entry marked current", () => {
    for (const [i, file] of FILES.entries()) {
      const links = nav(page(file));
      assert.deepEqual(
        links.map((l) => [l.href, l.text]),
        [
          ["index.html", "Overview"],
          ["products.html", "Products"],
          ["columns-quality.html", "Columns &amp; quality"],
        ],
      );
      assert.deepEqual(
        links.map((l) => l.current),
        FILES.map((_, j) => j === i),
        `${file}: only its own entry is current`,
      );
    }
    assert.match(page("index.html"), /<title>Sales<\/title>/);
    assert.match(page("products.html"), /<title>Products · Sales<\/title>/);
  });

  it("puts each page's sections on it, and only those", () => {
    assert.deepEqual(sectionKinds(page("index.html")), ["kpis", "text"]);
    assert.deepEqual(sectionKinds(page("products.html")), ["chart", "table"]);
    const columns = page("columns-quality.html");
    assert.ok(sectionKinds(columns).includes("profile"));
    assert.ok(!sectionKinds(columns).includes("kpis"));
    // Every page has the header and footer.
    for (const file of FILES) {
      assert.match(page(file), /<h1>Sales<\/h1>/);
      assert.match(page(file), /<footer class="report-footer">/);
    }
  });

  it("keeps every page self-contained: inline CSS and SVG, no script, no external URL", () => {
    for (const file of FILES) {
      const html = page(file);
      assert.doesNotMatch(html, /<script/i);
      assert.doesNotMatch(html, /\s(src|href)="https?:/i);
      assert.doesNotMatch(html, /url\(\s*["']?https?:/i);
      assert.doesNotMatch(html, /<link\b/i, "no linked style sheet");
      assert.match(html, /<style>[\s\S]*@font-face/);
    }
    assert.match(page("products.html"), /<svg[^>]*role="img"/);
  });

  it("shows a chart's Markdown description, and gives screen readers its plain text", () => {
    let total = 0;
    for (let i = 0; i < 30; i++) total += (i * 7) % 50;
    const figure = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(
      total,
    );
    const html = page("products.html");
    assert.ok(html.includes(`<p>Of <strong>${figure}</strong> in all.</p>`), "visible, rendered");
    const descs = [...html.matchAll(/<desc id="chart-\d+(?:-narrow)?-desc">([^<]*)<\/desc>/g)];
    assert.equal(descs.length, 2, "wide and narrow SVG");
    for (const [, text] of descs) assert.equal(text, `Of ${figure} in all.`);
  });

  it("shows the alerts with the column profiles, linking to each card on its page", () => {
    const columns = page("columns-quality.html");
    assert.match(columns, /<section class="section alerts"/);
    assert.match(columns, /<a href="#column-note">note<\/a>/);
    assert.match(columns, /id="column-note"/);
    assert.doesNotMatch(page("index.html"), /class="section alerts"/);
  });

  it("links the email to the first page", () => {
    assert.match(page("email.html"), /href="index.html"/);
  });

  it("publishes every page in the Connect bundle, index.html the primary document", async () => {
    const prepared = await prepareStatic(out, {});
    const manifest = prepared.manifest as {
      metadata: { primary_html: string };
      files: Record<string, unknown>;
    };
    assert.equal(manifest.metadata.primary_html, "index.html");
    for (const file of FILES) assert.ok(manifest.files[file], `${file} in the manifest`);
    const entries = readTarGz(Buffer.from(createBundle(prepared.files, prepared.manifest)));
    for (const file of FILES)
      assert.equal(entries.get(file)?.toString("utf8"), page(file), `${file} in the bundle`);
    assert.equal(prepared.title, "Sales", "content titled after the report, not its first page");
  });
});

describe("pages: definition errors", () => {
  const failure = async (definition: string) => {
    const checked = await runCli(["check", join(project(definition), "report.yml")]);
    assert.notEqual(checked.code, 0);
    return checked.stderr;
  };

  it("refuses sections and pages together, a page without a title, an empty page", async () => {
    assert.match(
      await failure(
        DEFINITION.replace("history: false", "history: false\nsections:\n  - profile: all"),
      ),
      /report\.yml:\d+:1: sections: a report has either sections \(one page\) or pages/,
    );
    const untitled = await failure(
      DEFINITION.replace("  - title: Products\n", "  - titel: Products\n"),
    );
    assert.match(untitled, /report\.yml:12:5: pages\[1\]\.titel: unknown field 'titel'/);
    assert.match(untitled, /report\.yml:12:5: pages\[1\]\.title: required field is missing/);
    assert.match(
      await failure(
        DEFINITION.replace("      - profile: [note, revenue]", "      []").replace(
          "    sections:\n      []",
          "    sections: []",
        ),
      ),
      /pages\[2\]\.sections: expected a list of sections, found an empty list/,
    );
  });

  it("locates a section's error inside its page", async () => {
    assert.match(
      await failure(DEFINITION.replace("x: product", "x: produkt")),
      /report\.yml:19:14: pages\[1\]\.sections\[0\]\.chart\.x: 'produkt' is not a column of query 'by_product'; did you mean 'product'\?/,
    );
  });
});
