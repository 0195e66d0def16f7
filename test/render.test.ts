// Render stage: Intl helpers, template override precedence, a self-contained page (no
// script, no URL), HTML escaping, template errors naming the file, and a golden page, also
// from the templates precompiled as dist/ ships them.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import Handlebars from "handlebars";
import { renderCharts } from "../src/chart/index.ts";
import { ReportError } from "../src/errors.ts";
import { registerHelpers } from "../src/render/helpers.ts";
import { assembleModel, type ReportModel, renderReport } from "../src/render/index.ts";
import { loadPrecompiled, PRECOMPILED_FILE, precompiledModule } from "../src/render/precompiled.ts";
import { pageRenderer } from "../src/render/report.ts";
import { salesSpec, salesSummary } from "./input/render/sales.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULTS = join(ROOT, "templates");
const GOLDEN = join(ROOT, "test/output/render/sales.html");
const OPTIONS = { defaultsDir: DEFAULTS, locale: "en-US", currency: "USD" };

function helper(locale: string, currency: string) {
  const env = Handlebars.create();
  registerHelpers(env, { locale, currency });
  return (template: string, context: object = {}) => env.compile(template)(context);
}

let model: ReportModel | undefined;
async function salesModel(): Promise<ReportModel> {
  if (model === undefined) {
    const spec = salesSpec();
    const summary = salesSummary();
    const charts = await renderCharts(spec, summary);
    model = assembleModel({
      spec,
      summary,
      // A DataSource-like object: body and credentialSource must not reach the model.
      source: {
        label: "s3://demo-bucket/sales.csv",
        size: 1_234_567,
        etag: '"9b2cf535f27731c974343645a3985328"',
        lastModified: new Date("2024-07-01T10:00:00Z"),
        credentialSource: "connect",
        body: () => [],
      } as Parameters<typeof assembleModel>[0]["source"],
      charts,
      now: new Date("2024-07-02T08:30:00Z"),
      notices: [
        "Using the bundled sample data: no bucket configured (see https://example.com/help).",
      ],
    });
  }
  return model;
}

async function tempTemplates(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "csr-templates-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

describe("helpers", () => {
  it("format numbers, currency, percents and dates with Intl in en-US", () => {
    const render = helper("en-US", "USD");
    assert.equal(render("{{number 1234567.891}}"), "1,234,567.89");
    assert.equal(render("{{number 3.14159 3}}"), "3.142");
    assert.equal(render("{{integer 1234.5}}"), "1,235");
    assert.equal(render("{{percent 0.1234}}"), "12.3%");
    assert.equal(render("{{currency 1234.5}}"), "$1,234.50");
    assert.equal(render("{{compact 1234567}}"), "1.2M");
    assert.equal(render('{{compact 1234567 "currency"}}'), "$1.2M");
    assert.equal(render('{{format 0.5 "percent"}}'), "50%");
    assert.equal(render('{{format x "currency"}}', { x: null }), "–");
    assert.equal(render("{{change 0.05}} {{change -0.125}}"), "+5% -12.5%");
    assert.equal(render('{{date "2024-03-05"}}'), "Mar 5, 2024");
    assert.equal(render('{{date "2024-03-01" "month"}}'), "Mar 2024");
    assert.equal(render('{{date "2024-04-01" "quarter"}}'), "Q2 2024");
    assert.equal(render('{{datetime "2024-07-02T08:30:00Z"}}'), "Jul 2, 2024, 8:30 AM UTC");
    assert.equal(render("{{bytes 1234567}}"), "1.2 MB");
    assert.equal(
      render('{{stat "2024-01-31" "date"}} {{stat 0.000123456 "float"}}'),
      "Jan 31, 2024 0.000123",
    );
    assert.equal(render("{{#if (has x)}}yes{{/if}}", { x: 0 }), "yes");
  });

  it("follow the report's locale and currency (de-DE, EUR)", () => {
    const render = helper("de-DE", "EUR");
    assert.equal(render("{{number 1234567.891}}"), "1.234.567,89");
    assert.equal(render("{{currency 1234.5}}"), "1.234,50\u00a0€");
    assert.equal(render("{{percent 0.5}}"), "50\u00a0%");
    assert.equal(render('{{date "2024-03-05"}}'), "05.03.2024");
  });
});

describe("renderReport", () => {
  it("produces one self-contained HTML5 page: lang, skip link, no script, no URL outside text", async () => {
    const html = await renderReport(await salesModel(), OPTIONS);
    assert.match(html, /^<!DOCTYPE html>\n<html lang="en-US">/);
    assert.match(html, /<a class="skip-link" href="#main">/);
    assert.match(html, /<main id="main">/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<(link|img|iframe|object|embed)\b/i);
    // URLs may appear only as text: never in an attribute or a CSS url().
    assert.doesNotMatch(html, /=\s*["']?\s*(https?:)?\/\//i);
    assert.doesNotMatch(html, /url\(\s*["']?(https?:)?\/\//i);
    const urls = [...html.matchAll(/https?:\/\/[^\s<"]+/g)].map((m) => m[0]);
    assert.deepEqual(urls, ["https://example.com/help)."]);
    assert.match(
      html,
      /@font-face\{font-family:"Inter";font-style:normal;font-weight:400;[^}]*url\(data:font\/woff;base64,/,
    );
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, "ids are unique");
  });

  it("gives each chart section a wide and a narrow rendering and one data table", async () => {
    const html = await renderReport(await salesModel(), OPTIONS);
    const sections = [...html.matchAll(/<section class="section chart"[\s\S]*?<\/section>/g)];
    assert.equal(sections.length, 2, "the sales page has two chart sections");
    for (const [section] of sections) {
      const id = /aria-labelledby="(chart-\d+)-heading"/.exec(section)?.[1];
      const svgs = [...section.matchAll(/<svg id="([^"]+)" role="img"/g)].map((m) => m[1]);
      assert.deepEqual(svgs, [id, `${id}-narrow`]);
      assert.match(section, /<div class="chart-svg has-narrow">\s*<div class="chart-wide"><svg/);
      assert.match(section, /<\/svg><\/div>\s*<div class="chart-narrow"><svg/);
      assert.equal(section.match(/<table/g)?.length, 1, "one data table per chart");
    }
  });

  it("headings go in order: one h1, then h2 sections, h3 inside", async () => {
    const html = await renderReport(await salesModel(), OPTIONS);
    const levels = [...html.matchAll(/<h([1-6])\b/g)].map((m) => Number(m[1]));
    assert.equal(levels[0], 1);
    assert.equal(levels.filter((l) => l === 1).length, 1);
    for (let i = 1; i < levels.length; i++) {
      assert.ok(levels[i] <= levels[i - 1] + 1, `h${levels[i - 1]} then h${levels[i]}`);
    }
  });

  it("escapes text from the definition and the data", async () => {
    const html = await renderReport(await salesModel(), OPTIONS);
    assert.ok(html.includes("<title>Sales &lt;demo&gt; overview</title>"));
    assert.ok(html.includes("<h1>Sales &lt;demo&gt; overview</h1>"));
    assert.ok(html.includes("<p>See &lt;demo&gt; &amp; notes.</p>"));
    assert.doesNotMatch(html, /<demo>/);
  });

  it("shows the source's size, ETag and last modified in the footer, never its credentials", async () => {
    const m = await salesModel();
    assert.deepEqual(Object.keys(m.source).sort(), ["etag", "label", "lastModified", "size"]);
    const html = await renderReport(m, OPTIONS);
    const footer = html.slice(html.indexOf('<footer class="report-footer">'));
    assert.ok(footer.includes("<code>s3://demo-bucket/sales.csv</code>"));
    assert.ok(footer.includes("1.2 MB"));
    assert.ok(footer.includes("&quot;9b2cf535f27731c974343645a3985328&quot;"));
    assert.ok(
      footer.includes('<time datetime="2024-07-01T10:00:00.000Z">Jul 1, 2024, 10:00 AM UTC</time>'),
    );
    assert.ok(footer.includes("<dd>9,771</dd>"));
  });

  it("a file in the report's templates folder replaces the default of the same path", async () => {
    const dir = await tempTemplates({
      "partials/footer.hbs": "<footer>Custom footer for {{title}}</footer>",
      "theme.css": "body{background:papayawhip}",
    });
    const html = await renderReport(await salesModel(), { ...OPTIONS, templatesDir: dir });
    assert.ok(html.includes("<footer>Custom footer for Sales &lt;demo&gt; overview</footer>"));
    assert.ok(!html.includes("Generated by connect-s3-report"));
    assert.ok(html.includes("body{background:papayawhip}"));
    assert.ok(!html.includes("--surface"), "the default theme is replaced, not appended to");
    assert.ok(html.includes("<h1>Sales &lt;demo&gt; overview</h1>"), "other defaults still apply");
    assert.ok(html.includes("@font-face"), "the font is still embedded");
  });

  it("a template syntax error names the file and line", async () => {
    const dir = await tempTemplates({
      "partials/kpis.hbs": "<section>\n{{#each kpis}}\n<p>{{label}</p>\n",
    });
    await assert.rejects(
      renderReport(await salesModel(), { ...OPTIONS, templatesDir: dir }),
      (error: unknown) => {
        assert.ok(error instanceof ReportError);
        assert.ok(
          error.message.startsWith(`${join(dir, "partials/kpis.hbs")}:3: template syntax error`),
          error.message,
        );
        return true;
      },
    );
  });

  it("a missing partial names the file and line that uses it", async () => {
    const layout = await readFile(join(DEFAULTS, "layout.hbs"), "utf8");
    const lines = layout.split("\n");
    const at = lines.findIndex((line) => line.includes("{{> header}}"));
    lines[at] = "{{> banner}}";
    const dir = await tempTemplates({ "layout.hbs": lines.join("\n") });
    await assert.rejects(
      renderReport(await salesModel(), { ...OPTIONS, templatesDir: dir }),
      (error: unknown) => {
        assert.ok(error instanceof ReportError);
        assert.equal(
          error.message,
          `${join(dir, "layout.hbs")}:${at + 1}:1: partial 'banner' not found`,
        );
        assert.match(error.hint ?? "", /partials\/banner\.hbs/);
        return true;
      },
    );
  });

  it("matches the golden page (test/output/render/sales.html; UPDATE_GOLDEN=1 rewrites it)", async () => {
    const html = await renderReport(await salesModel(), OPTIONS);
    // The stylesheet (fonts and theme) is left out: it is large and covered above.
    const page = html.replace(/<style>[\s\S]*?<\/style>/, "<style>/* theme.css + fonts */</style>");
    if (process.env.UPDATE_GOLDEN === "1") {
      await mkdir(dirname(GOLDEN), { recursive: true });
      await writeFile(GOLDEN, page);
    }
    assert.equal(page, await readFile(GOLDEN, "utf8"));
  });
});

describe("assembleModel", () => {
  it("keeps sections in spec order, formats table cells and links alerts to profile cards", async () => {
    const m = await salesModel();
    assert.deepEqual(
      m.sections.map((s) => s.kind),
      ["kpis", "chart", "chart", "table", "text", "profile"],
    );
    const table = m.sections[3];
    assert.equal(table.kind, "table");
    if (table.kind !== "table") return;
    assert.deepEqual(
      table.rows[0].map((cell) => cell.text),
      ["Europe", "$1,204,500.50", "3,120"],
    );
    assert.equal(table.title, "By region");
    assert.deepEqual(
      m.alerts.map((a) => a.anchor),
      ["column-revenue", undefined],
    );
    assert.equal(m.tableAlerts.length, 1);
  });

  it("an unknown profile column is an error at that entry", async () => {
    const spec = salesSpec();
    spec.sections[5] = { kind: "profile", columns: ["region", "regoin"], path: ["sections", 5] };
    const summary = salesSummary();
    const charts = await renderCharts(salesSpec(), summary);
    assert.throws(
      () => assembleModel({ spec, summary, source: { label: "x" }, charts, now: new Date(0) }),
      /^ReportError: \/reports\/sales\.yml:15:14: sections\[5\]\[1\]: column 'regoin' not found; did you mean 'region'\?/,
    );
  });
});

describe("precompiled templates (src/render/precompiled.ts, as dist/ ships them)", () => {
  /** The default templates precompiled into a module file, loaded as the render stage would. */
  async function precompiled() {
    const dir = await mkdtemp(join(tmpdir(), "csr-precompiled-"));
    const file = join(dir, PRECOMPILED_FILE);
    await writeFile(file, await precompiledModule(DEFAULTS));
    return loadPrecompiled(pathToFileURL(file));
  }
  const withoutStyle = (html: string) =>
    html.replace(/<style>[\s\S]*?<\/style>/, "<style>/* theme.css + fonts */</style>");

  it("render the golden page exactly as templates compiled at run time do", async () => {
    const ready = await precompiled();
    assert.ok(
      ready.has("layout.hbs") && ready.has("partials/profile.hbs"),
      [...ready.keys()].join(),
    );
    const html = (await pageRenderer(OPTIONS, ready))(await salesModel());
    assert.equal(withoutStyle(html), await readFile(GOLDEN, "utf8"));
    assert.equal(html, (await pageRenderer(OPTIONS, new Map()))(await salesModel()));
  });

  it("are not used for a template whose source differs: an edited or overriding file is compiled", async () => {
    const ready = new Map(await precompiled());
    const footer = ready.get("partials/footer.hbs");
    assert.ok(footer !== undefined);
    // A spec from another template under a source that no longer matches: never to be run.
    const header = ready.get("partials/header.hbs");
    assert.ok(header !== undefined);
    ready.set("partials/footer.hbs", { ...header, source: `${footer.source} ` });
    const html = (await pageRenderer(OPTIONS, ready))(await salesModel());
    assert.equal(withoutStyle(html), await readFile(GOLDEN, "utf8"));
    const dir = await tempTemplates({ "partials/footer.hbs": "<footer>Own {{title}}</footer>" });
    const own = (await pageRenderer({ ...OPTIONS, templatesDir: dir }, await precompiled()))(
      await salesModel(),
    );
    assert.ok(own.includes("<footer>Own Sales &lt;demo&gt; overview</footer>"));
  });

  it("leave nothing to load when the module is absent (running src/ directly)", async () => {
    const missing = pathToFileURL(join(tmpdir(), `csr-none-${process.pid}`, PRECOMPILED_FILE));
    assert.equal((await loadPrecompiled(missing)).size, 0);
  });
});
