// The sample report printed to PDF by `build --pdf`'s own code (Chromium), on A4 and on
// Letter: no chart or table is split across pages. Checked on the PDF itself: a marker is put
// at the start and at the end of every chart and table section of a copy of the page, and
// poppler's pdftotext says on which page each marker landed.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { findChromium, printPdf } from "../src/cli/print-pdf.ts";
import { runCli } from "./helpers/cli.ts";
import { sampleSite } from "./helpers/sample-site.ts";

/** Puts `QQS<n>QQ` first and `QQE<n>QQ` last in every chart and table section; returns how many. */
function markSections(html: string): { html: string; count: number } {
  let count = 0;
  const marked = html.replace(
    /(<section class="section (?:chart|table)[^"]*"[^>]*>)([\s\S]*?)(<\/section>)/g,
    (_, open: string, body: string, close: string) => {
      count++;
      const mark = (text: string) => `<span style="font-size:6px">${text}</span>`;
      return `${open}${mark(`QQS${count}QQ`)}${body}${mark(`QQE${count}QQ`)}${close}`;
    },
  );
  return { html: marked, count };
}

/** The 1-based page of every marker in `pdf`, by marker text. */
function markerPages(pdf: string): Map<string, number> {
  const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
  const pages = new Map<string, number>();
  text.split("\f").forEach((page, i) => {
    for (const m of page.matchAll(/QQ[SE]\d+QQ/g)) pages.set(m[0], i + 1);
  });
  return pages;
}

describe("print and PDF", () => {
  let dir: string;
  let sections = 0;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "csr-pdf-test-"));
    const out = await sampleSite();
    const { html, count } = markSections(await readFile(join(out, "index.html"), "utf8"));
    sections = count;
    await mkdir(join(dir, "marked"));
    await writeFile(join(dir, "marked", "index.html"), html);
  });

  for (const paper of ["a4", "letter"] as const) {
    it(`on ${paper}, every chart and table starts and ends on the same page`, async () => {
      assert.ok(sections >= 5, `the sample has charts and a table (${sections} marked)`);
      const pdf = await printPdf(join(dir, "marked"), paper, process.env);
      const info = execFileSync("pdfinfo", [pdf], { encoding: "utf8" });
      // pdfinfo names the size from the points: A4 is 595 × 842 pt, Letter 612 × 792 pt.
      assert.match(info, paper === "a4" ? /Page size:.*\(A4\)/ : /Page size:\s+612 x 792 pts/);
      const pages = markerPages(pdf);
      for (let i = 1; i <= sections; i++) {
        const start = pages.get(`QQS${i}QQ`);
        const end = pages.get(`QQE${i}QQ`);
        assert.ok(start !== undefined && end !== undefined, `markers of section ${i} in the PDF`);
        assert.equal(end, start, `section ${i} runs from page ${start} to page ${end}`);
      }
    });
  }

  it("says clearly when no Chromium is installed", async () => {
    assert.equal(findChromium({ PATH: "/nonexistent" }), undefined);
    await assert.rejects(printPdf(join(dir, "marked"), "a4", { PATH: "/nonexistent" }), {
      name: "ReportError",
      message: /--pdf needs Chromium/,
    });
  });
});

describe("print a paged report", () => {
  it("build --pdf prints every page's sections into one PDF, in page order", async () => {
    const dir = await mkdtemp(join(tmpdir(), "csr-pdf-pages-"));
    await writeFile(join(dir, "data.csv"), "region,revenue\nNorth,10\nSouth,30\nEast,20\n");
    await writeFile(
      join(dir, "report.yml"),
      `title: Paged
source: data.csv
queries:
  by_region: { group_by: [region], measures: { revenue: sum(revenue) } }
pages:
  - title: Overview
    sections:
      - text: "Opening words on the first page."
  - title: Regions
    sections:
      - table: { title: Revenue per region, query: by_region }
history: false
`,
    );
    const out = join(dir, "out");
    const run = await runCli(["build", join(dir, "report.yml"), "--out", out, "--pdf"], {
      CHROMIUM_PATH: findChromium(process.env) ?? "/usr/bin/chromium",
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual((await readdir(out)).filter((f) => f.endsWith(".html")).sort(), [
      "email.html",
      "index.html",
      "regions.html",
    ]);
    const text = execFileSync("pdftotext", ["-layout", join(out, "report.pdf"), "-"], {
      encoding: "utf8",
    });
    const first = text.indexOf("Opening words on the first page.");
    const second = text.indexOf("Revenue per region");
    assert.ok(first >= 0, "the first page's text is printed");
    assert.ok(second > first, "the second page's table follows it");
    assert.match(text, /South\s+\$?30/);
  });
});
