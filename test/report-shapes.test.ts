// Reports of any dataset shape stay small and fit for serving: 1, 3 and 300 columns and a
// million rows each give an index.html under 1 MB (no raw rows embedded), readable by other
// users, naming the data without the building machine's absolute path.

import assert from "node:assert/strict";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { build } from "../src/build.ts";
import { recordingEffects } from "./helpers/effects.ts";
import { assertValidSummary } from "./helpers/json-schema.ts";

const MB = 1_000_000;

/**
 * A CSV of `rows` rows and `columns` columns of mixed types, generated line by line. Each
 * cell's text is made once and reused: every column takes at most 100,003 values, and
 * turning a million rows of numbers into text again and again cost a CPU second.
 */
function csv(rows: number, columns: number): string {
  const names = Array.from({ length: columns }, (_, c) =>
    c % 5 === 4 ? `température_${c} 📈 with a rather long column name that goes on` : `col_${c}`,
  );
  const counts: string[] = [];
  const labels: string[] = [];
  const fractions: string[] = [];
  const large = new Map<number, string[]>();
  const cell = (r: number, c: number): string => {
    switch (c % 5) {
      case 0: {
        const n = (r * 7919 + c) % 100_003;
        counts[n] ??= String(n);
        return counts[n];
      }
      case 1: {
        const column = large.get(c) ?? [];
        large.set(c, column);
        column[r % 997] ??= ((r % 997) * 1.5e9 + c).toString();
        return column[r % 997];
      }
      case 2: {
        const label = (r * 31 + c) % 40;
        const pad = (r + c) % 7;
        labels[label * 7 + pad] ??= `label ${label} ${"x".repeat(pad)}`;
        return labels[label * 7 + pad];
      }
      case 3:
        return c % 2 === 0 ? "" : "constant";
      default: {
        const n = (r * 13) % 1000;
        fractions[n] ??= (n / 1e6).toString();
        return fractions[n];
      }
    }
  };
  const lines = [names.map((n) => `"${n}"`).join(",")];
  for (let r = 0; r < rows; r++) {
    const row: string[] = [];
    for (let c = 0; c < columns; c++) row.push(cell(r, c));
    lines.push(row.join(","));
  }
  return `${lines.join("\n")}\n`;
}

async function buildOf(rows: number, columns: number) {
  const dir = await mkdtemp(join(tmpdir(), "csr-shapes-"));
  const data = join(dir, "data.csv");
  await writeFile(data, csv(rows, columns));
  const out = join(dir, "output");
  await build({ source: data, outDir: out }, recordingEffects());
  assertValidSummary(JSON.parse(await readFile(join(out, "summary.json"), "utf8")));
  const index = join(out, "index.html");
  return { dir, out, index, html: await readFile(index, "utf8"), bytes: (await stat(index)).size };
}

describe("reports of any dataset shape", () => {
  const shapes = [
    { rows: 500, columns: 1 },
    { rows: 500, columns: 3 },
    { rows: 2_000, columns: 300 },
    { rows: 1_000_000, columns: 3 },
  ];
  const built = new Map<string, Awaited<ReturnType<typeof buildOf>>>();
  before(async () => {
    for (const { rows, columns } of shapes)
      built.set(`${rows}x${columns}`, await buildOf(rows, columns));
  });

  for (const { rows, columns } of shapes) {
    it(`${rows.toLocaleString("en-US")} rows × ${columns} columns: index.html under 1 MB`, () => {
      const report = built.get(`${rows}x${columns}`);
      assert.ok(report);
      assert.ok(report.bytes < MB, `index.html is ${report.bytes} bytes`);
      // Every column is in the page, named.
      const profiled = report.html.match(/class="card"/g)?.length ?? 0;
      assert.equal(profiled, columns);
    });
  }

  it("names the data without the building machine's absolute path", () => {
    for (const report of built.values()) {
      assert.ok(
        !report.html.includes(report.dir),
        "the temporary folder's path is not in the page",
      );
      assert.match(report.html, /<code>data\.csv<\/code>/);
    }
  });

  it("writes files other users can read (a web server running as another user)", async () => {
    const report = built.get("500x1");
    assert.ok(report);
    const mask = process.umask();
    // With the usual umask (022) the folder is 755 and the page 644: world-readable.
    if ((mask & 0o005) === 0) {
      assert.equal((await stat(report.out)).mode & 0o005, 0o005, "folder readable and listable");
      assert.equal((await stat(report.index)).mode & 0o004, 0o004, "index.html readable");
    }
  });

  it("gives a 300-column report an overview table linking to each column's details", () => {
    const report = built.get("2000x300");
    assert.ok(report);
    const overview = report.html.match(/<table class="overview"[\s\S]*?<\/table>/)?.[0] ?? "";
    const links = overview.match(/<a href="#column-[^"]+"/g) ?? [];
    assert.equal(links.length, 300);
    const details = report.html.match(/<details class="card-details" id="column-/g) ?? [];
    assert.equal(details.length, 300);
    // Every link lands on an element of the page.
    for (const link of links) {
      const id = link.slice('<a href="#'.length, -1);
      assert.ok(report.html.includes(`id="${id}"`), `target of ${id}`);
    }
  });
});

describe("page_budget", () => {
  async function withBudget(exceed: "warn" | "fail") {
    const dir = await mkdtemp(join(tmpdir(), "csr-budget-"));
    await writeFile(join(dir, "data.csv"), csv(200, 3));
    await writeFile(
      join(dir, "report.yml"),
      `title: Budget\nsource: { file: data.csv }\npage_budget: { max_kb: 20, exceed: ${exceed} }\nsections:\n  - profile: all\n`,
    );
    const effects = recordingEffects();
    const out = join(dir, "output");
    const run = build({ definition: join(dir, "report.yml"), outDir: out }, effects);
    return { run, effects, out };
  }

  it("warns when index.html outgrows the budget", async () => {
    const { run, effects, out } = await withBudget("warn");
    await run;
    assertValidSummary(JSON.parse(await readFile(join(out, "summary.json"), "utf8")));
    const bytes = (await stat(join(out, "index.html"))).size;
    assert.ok(bytes > 20_000, `the page (${bytes} bytes) is over 20 kB`);
    assert.ok(
      effects.lines.some((line) => /over the page budget of 20 kB/.test(line)),
      effects.lines.join("\n"),
    );
  });

  it("with exceed: fail, stops before writing anything", async () => {
    const { run, out } = await withBudget("fail");
    await assert.rejects(run, { name: "ReportError", message: /over the page budget of 20 kB/ });
    await assert.rejects(stat(join(out, "index.html")), { code: "ENOENT" });
  });
});
